//! The second login step: "Enter the code displayed by your authenticator
//! app", or a backup code after "Use a recovery code". The mode lives in the
//! URL (?recovery), so the switch works without JavaScript too. With
//! security keys, "Use your security key" (public/webauthn.js), first when
//! it is the account's only method.

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
                                let key_only = methods.security_keys && !methods.authenticator_app;
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
                                let to_app = (recovery.get() && methods.authenticator_app)
                                    .then(|| {
                                        view! {
                                            <A href=with_next("/login/two-factor")>"Use your authenticator app"</A>
                                        }
                                    });
                                let to_recovery = (!recovery.get())
                                    .then(|| {
                                        view! {
                                            <A href=with_next("/login/two-factor?recovery")>"Use a recovery code"</A>
                                        }
                                    });
                                view! {
                                    {key_first}
                                    <Show when=move || !key_only || recovery.get()>
                                        <CodeForm action recovery next error message />
                                    </Show>
                                    {key_later}
                                    <p class="muted">{to_key} {to_app} {to_recovery}</p>
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
    next: Signal<Option<String>>,
    error: Signal<Option<crate::error::AppError>>,
    message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <ActionForm action=action>
            <FormError error />
            <input type="hidden" name="recovery" value=move || recovery.get().to_string() />
            <input type="hidden" name="next" value=move || next.get().unwrap_or_default() />
            <div class="field" class:invalid=move || message.get().is_some()>
                <label for="login-code">
                    {move || {
                        if recovery.get() {
                            "Enter one of your backup codes"
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
