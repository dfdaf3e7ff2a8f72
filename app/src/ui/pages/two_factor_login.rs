//! The second login step: "Enter the code displayed by your authenticator
//! app", the code from a text message, or a backup code after "Use a
//! recovery code". The mode lives in the URL (?recovery, ?sms, ?app), so the
//! switch works without JavaScript too. With security keys, "Use your
//! security key" (public/webauthn.js), first when it is the account's only
//! method. With text messages preferred, the code was sent as the step opened.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::server_fns::auth::VerifyLogin;
use crate::server_fns::security_keys::load_login_methods;
use crate::ui::components::forms::{last_error, FormError, SubmitButton};
use crate::ui::components::security_keys::KeySecondStep;

#[component]
pub fn TwoFactorLoginPage() -> impl IntoView {
    let action = ServerAction::<VerifyLogin>::new();
    let methods = Resource::new(|| (), |_| load_login_methods());
    let query = use_query_map();
    let recovery = Signal::derive(move || query.read().get("recovery").is_some());
    let asked = move |mode: &str| query.read().get(mode).is_some();
    let error = last_error(action);
    let message = Signal::derive(move || error.get().and_then(|e| e.field_message("code")));
    // After a backup code: from the action, or (a form posted without JavaScript) from the redirect's query.
    let codes_left = move || {
        action
            .value()
            .get()
            .and_then(Result::ok)
            .and_then(|done| done.backup_codes_left)
            .or_else(|| query.read().get("codes_left").and_then(|left| left.parse().ok()))
    };
    let next = super::auth_forms::continue_target();
    let with_next = move |path: &str| match next.get() {
        Some(next) => format!(
            "{path}{}continue={}",
            if path.contains('?') { "&" } else { "?" },
            crate::applications::encode_component(&next)
        ),
        None => path.to_string(),
    };

    view! {
        <Title text="Two-factor authentication" />
        <section class="card narrow">
            <h1>"Two-factor authentication"</h1>
            {move || match codes_left() {
                Some(left) => view! { <BackupCodesLeft left next=next.get() /> }.into_any(),
                None => {
                    view! {
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                let methods = methods.await.unwrap_or_default();
                                let sms = methods.sms.clone();
                                let texted = Signal::derive(move || {
                                    sms.is_some() && !recovery.get() && !asked("app")
                                        && (asked("sms") || methods.texts_first)
                                });
                                let has_code = methods.authenticator_app || methods.sms.is_some();
                                let key_only = methods.security_keys && !has_code;
                                let key_first = (key_only && !recovery.get())
                                    .then(|| view! { <KeySecondStep next=next.get() /> });
                                let key_later = (methods.security_keys && !key_only && !recovery.get())
                                    .then(|| view! { <KeySecondStep next=next.get() /> });
                                let to_key = (methods.security_keys && recovery.get())
                                    .then(|| {
                                        view! {
                                            <A href=with_next("/login/two-factor")>"Use your security key"</A>
                                            " · "
                                        }
                                    });
                                let to_app = ((recovery.get() || texted.get()) && methods.authenticator_app)
                                    .then(|| {
                                        view! {
                                            <A href=with_next("/login/two-factor?app")>"Use your authenticator app"</A>
                                            " · "
                                        }
                                    });
                                let to_sms = methods
                                    .sms
                                    .clone()
                                    .filter(|_| !texted.get())
                                    .map(|sms| {
                                        view! {
                                            <A href=with_next(
                                                "/login/two-factor?sms",
                                            )>{format!("Text a code to {}", sms.masked)}</A>
                                            " · "
                                        }
                                    });
                                let texted_step = methods
                                    .sms
                                    .filter(|_| texted.get())
                                    .map(|sms| view! { <TextedCode sms /> });
                                let to_recovery = (!recovery.get())
                                    .then(|| {
                                        view! {
                                            <A href=with_next("/login/two-factor?recovery")>"Use a recovery code"</A>
                                        }
                                    });
                                view! {
                                    {key_first}
                                    {texted_step}
                                    <Show when=move || !key_only || recovery.get()>
                                        <CodeForm action recovery texted next error message />
                                    </Show>
                                    {key_later}
                                    <p class="muted">{to_key} {to_app} {to_sms} {to_recovery}</p>
                                }
                            })}
                        </Suspense>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// The code form: the app's code, or a backup code after "Use a recovery code".
#[component]
fn CodeForm(
    action: ServerAction<crate::server_fns::auth::VerifyLogin>,
    recovery: Signal<bool>,
    texted: Signal<bool>,
    next: Signal<Option<String>>,
    error: Signal<Option<crate::error::AppError>>,
    message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <ActionForm action=action>
            <FormError error />
            <input type="hidden" name="recovery" value=move || recovery.get().to_string() />
            <input type="hidden" name="texted" value=move || texted.get().to_string() />
            <input type="hidden" name="next" value=move || next.get().unwrap_or_default() />
            <div class="field" class:invalid=move || message.get().is_some()>
                <label for="login-code">
                    {move || {
                        if recovery.get() {
                            "Enter one of your backup codes"
                        } else if texted.get() {
                            "Enter the code from the text message"
                        } else {
                            "Enter the code displayed by your authenticator app"
                        }
                    }}
                </label>
                <input
                    id="login-code"
                    name="code"
                    required=true
                    autofocus=true
                    inputmode=move || if recovery.get() { "text" } else { "numeric" }
                    autocomplete=move || if recovery.get() { "off" } else { "one-time-code" }
                    placeholder=move || if recovery.get() { "xxxxx-xxxxx" } else { "123456" }
                    aria-invalid=move || message.get().is_some().then_some("true")
                    aria-describedby="login-code-error"
                />
                <p class="field-error" id="login-code-error" role="alert">
                    {message}
                </p>
            </div>
            <div class="field checkbox">
                <input id="login-remember" type="checkbox" name="remember" value="true" />
                <label for="login-remember">"Don't ask for a code on this browser for 30 days"</label>
            </div>
            <SubmitButton label="Submit" pending_label="Checking…" />
        </ActionForm>
    }
}

/// Where the texted code went, and "Send the code again" (a plain form: it
/// works before the page's script arrives; the server refuses it within a
/// minute of the last code, and past the limits, with when to try again).
#[component]
fn TextedCode(sms: crate::model::SmsSent) -> impl IntoView {
    let action = ServerAction::<crate::server_fns::sms::SendLoginSms>::new();
    let error = last_error(action);
    let query = use_query_map();
    let sent_now = move || action.value().get().is_some_and(|r| r.is_ok()) || query.read().get("texted").is_some();
    let said = if sms.sent {
        format!("We sent a code to {}. It expires in 5 minutes.", sms.masked)
    } else {
        format!("Send a code to {} to continue.", sms.masked)
    };
    let label = if sms.sent { "Send the code again" } else { "Text me a code" };
    view! {
        <p role="status">
            {move || if sent_now() { format!("A new code is on its way to {}.", sms.masked) } else { said.clone() }}
        </p>
        <ActionForm action=action attr:class="inline-form">
            <FormError error />
            <SubmitButton label pending_label="Sending…" />
        </ActionForm>
    }
}

#[component]
fn BackupCodesLeft(left: u32, next: Option<String>) -> impl IntoView {
    let (class, advice) = match left {
        0 => ("notice danger", "You have no backup codes left. Regenerate them on your Account page now, or you may lose access to your account."),
        1 => ("notice danger", "Only one backup code is left. Regenerate your codes on your Account page soon."),
        _ => ("notice", "Each backup code works once. You can regenerate them on your Account page."),
    };
    view! {
        <div class=class role="status">
            <p>
                <strong>{format!("You have {left} backup code{} left", if left == 1 { "" } else { "s" })}</strong>
            </p>
            <p>{advice}</p>
        </div>
        <div class="actions">
            <A href="/account" attr:class="button">
                "Go to Account"
            </A>
            {match next {
                Some(next) => {
                    view! {
                        <a href=next class="button primary" rel="external">
                            "Continue"
                        </a>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <A href="/" attr:class="button primary">
                            "Continue"
                        </A>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}
