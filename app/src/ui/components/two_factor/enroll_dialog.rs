//! The enrollment dialog: the method first ("Authenticator app" or "Text
//! message (SMS)", where SMS is offered), then for the app step 1 scan (or
//! type the key), step 2 "Check Code", step 3 save the backup codes (SMS:
//! `sms_steps`). A native modal <dialog>: the page behind is inert, focus
//! stays inside, and Esc cancels.

use leptos::either::{Either, EitherOf3, EitherOf4};
use leptos::html;
use leptos::prelude::*;

use crate::ui::components::call::Call;

use super::codes::{CheckCodeField, SaveCodesStep};
use super::sms_steps::SmsSteps;
use crate::server_fns::twofactor::{
    CancelEnrollment, CheckEnrollmentCode, FinishEnrollment, StartEnrollment, BACKUP_CODE_NEEDED, PASSWORD_NEEDED,
};
use crate::ui::components::browser::{copy_to_clipboard, keep_tab_inside};
use crate::ui::components::forms::{ActionButton, Field, FormError, IslandForm};

/// Which kind of code the dialog sets up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    App,
    Sms,
}

/// What the dialog may offer: SMS only with a gateway; `only` skips the
/// choice ("Set up text messages", "Change number", "Set up an authenticator app").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    pub sms: bool,
    pub only: Option<Method>,
    /// 2FA is on already: adding a method asks for a code as well.
    pub two_factor_on: bool,
}

impl Offer {
    pub const APP: Offer = Offer { sms: false, only: Some(Method::App), two_factor_on: false };
}

#[component]
pub fn EnrollDialog(
    account: String,
    finish: Call<FinishEnrollment>,
    offer: Offer,
    on_close: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let cancel = Call::<CancelEnrollment>::new();
    let method = RwSignal::new(offer.only.unwrap_or(Method::App));
    // The seed's choice, at the start: with SMS offered and no method named.
    let choosing = offer.sms && offer.only.is_none();
    let step = RwSignal::new(1u8);
    let finished_at = finish.version().get_untracked();
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        }
    });
    // "I've Saved my Codes" done: close.
    let close_after_finish = on_close.clone();
    Effect::new(move |_| {
        if finish.version().get() > finished_at && matches!(finish.value().get(), Some(Ok(()))) {
            close_after_finish();
        }
    });
    let abandon = {
        let on_close = on_close;
        move || {
            // Either may have started (the choice can change at step 1): the server drops both.
            cancel.send(&[]);
            on_close();
        }
    };
    let abandon_esc = abandon.clone();
    let account_sms = account.clone();

    view! {
        <dialog
            node_ref=dialog
            class="modal"
            aria-labelledby="enroll-title"
            aria-describedby="enroll-step"
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                keep_tab_inside(&ev, dialog.get_untracked().map(Into::into));
            }
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                abandon_esc();
            }
        >
            <header class="modal-header">
                <h2 id="enroll-title">"Set up two-factor authentication"</h2>
                <button type="button" class="icon-button" aria-label="Close" on:click=move |_| abandon()>
                    "×"
                </button>
            </header>
            <p id="enroll-step" class="step-indicator">
                {move || format!("Step {} of 3", step.get())}
            </p>
            {move || (choosing && step.get() == 1).then(|| view! { <ChooseMethod method /> })}
            {move || match method.get() {
                Method::App => Either::Left(view! { <AppSteps account=account.clone() finish step /> }),
                Method::Sms => {
                    Either::Right(
                        view! { <SmsSteps account=account_sms.clone() two_factor_on=offer.two_factor_on step /> },
                    )
                }
            }}
        </dialog>
    }
}

/// The seed's "Choose your preferred authentication method": the app
/// (chosen at first) or a phone number for text messages.
#[component]
fn ChooseMethod(method: RwSignal<Method>) -> impl IntoView {
    let radio = move |value: Method, label: &'static str, hint: &'static str| {
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="enroll-method"
                    checked=move || method.get() == value
                    on:change=move |_| method.set(value)
                />
                <span>
                    <strong>{label}</strong>
                    <span class="muted">{hint}</span>
                </span>
            </label>
        }
    };
    view! {
        <fieldset class="method-choice">
            <legend>"Choose your preferred authentication method"</legend>
            {radio(
                Method::App,
                "Authenticator app",
                " A code from an app on your phone (Google Authenticator, Authy, Microsoft Authenticator).",
            )}
            {radio(
                Method::Sms,
                "Text message (SMS)",
                " A code texted to your phone. Less safe than an app: numbers can be taken over.",
            )}
        </fieldset>
    }
}

/// The authenticator app: scan (or type the key), "Check Code", save the codes.
#[component]
fn AppSteps(account: String, finish: Call<FinishEnrollment>, step: RwSignal<u8>) -> impl IntoView {
    let start = Call::<StartEnrollment>::new();
    let check = Call::<CheckEnrollmentCode>::new();
    let next_clicked = RwSignal::new(false);
    start.send(&[]);
    let codes = move || check.value().get().and_then(Result::ok);
    // The server asks for the password when this session last gave it a while ago, and for a
    // backup code too when 2FA is on with text messages only (sticky: a wrong password keeps it).
    let asked_code = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(start.value().get(), Some(Err(e)) if e.reason() == Some(BACKUP_CODE_NEEDED)) {
            asked_code.set(true);
        }
    });
    let needs_password = move || {
        matches!(start.value().get(), Some(Err(e)) if e.field_message("password").is_some()
            || (asked_code.get() && e.field_message("code").is_some()))
    };
    Effect::new(move |_| {
        let now = if codes().is_some() {
            3
        } else if next_clicked.get() {
            2
        } else {
            1
        };
        step.set(now);
    });
    view! {
        {move || match step.get() {
            1 if needs_password() => EitherOf4::A(view! { <PasswordStep start asked_code /> }),
            1 => EitherOf4::B(view! { <ScanStep start on_next=move || next_clicked.set(true) /> }),
            2 => EitherOf4::C(view! { <CheckStep check /> }),
            _ => {
                let on_save = move || finish.send(&[]);
                EitherOf4::D(
                    view! {
                        <SaveCodesStep
                            codes=codes().unwrap_or_default()
                            account=account.clone()
                            pending=finish.pending()
                            error=finish.error()
                            on_save
                        />
                    },
                )
            }
        }}
    }
}

#[component]
fn PasswordStep(start: Call<StartEnrollment>, asked_code: RwSignal<bool>) -> impl IntoView {
    let input = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get().and_then(|d| d.query_selector("input").ok().flatten()) {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<leptos::web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
    // The request for the password is the intro text, not an error; a wrong password is.
    let error = Signal::derive(move || {
        let asking = [Some(PASSWORD_NEEDED), Some(BACKUP_CODE_NEEDED)];
        start.value().get().and_then(Result::err).filter(|e| !asking.contains(&e.reason()))
    });
    let code = move || {
        asked_code.get().then(|| {
            view! {
                <Field
                    label="Backup code"
                    name="code"
                    id="enroll-backup-code"
                    autocomplete="off"
                    hint="Two-factor authentication is on: one of your backup codes confirms it is you."
                    error
                />
            }
        })
    };
    view! {
        <p>"For your security, enter your password again before setting up two-factor authentication."</p>
        <IslandForm action=start>
            <FormError error />
            <div node_ref=input>
                <Field label="Password" name="password" kind="password" autocomplete="current-password" error />
            </div>
            {code}
            <div class="dialog-actions">
                <ActionButton label="Continue" pending_label="Checking…" pending=start.pending() />
            </div>
        </IslandForm>
    }
}

#[component]
fn ScanStep(start: Call<StartEnrollment>, on_next: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    let copied = RwSignal::new(false);
    let error = start.error();
    view! {
        <p>
            "Download an authentication app such as Google Authenticator ("
            <a
                href="https://apps.apple.com/app/google-authenticator/id388497605"
                rel="external noopener"
                target="_blank"
            >
                "iOS"
            </a> ", "
            <a
                href="https://play.google.com/store/apps/details?id=com.google.android.apps.authenticator2"
                rel="external noopener"
                target="_blank"
            >
                "Android"
            </a> ") or " <a href="https://authy.com/download/" rel="external noopener" target="_blank">
                "Authy"
            </a> "."
        </p>
        <p>"Scan this QR code with your authenticator app (\"Add a code\", then \"Scan a QR code\")."</p>
        <FormError error />
        {move || match start.value().get() {
            Some(Ok(s)) => {
                let key = s.setup_key.clone();
                EitherOf3::A(
                    view! {
                        <div class="qr" inner_html=s.qr_svg.clone()></div>
                        <p class="muted">"No camera? Choose \"Enter a setup key\" in the app and type this key:"</p>
                        <div class="setup-key-row">
                            <code class="setup-key" aria-label="Setup key">
                                {s.setup_key}
                            </code>
                            <button
                                type="button"
                                class="button small"
                                on:click=move |_| {
                                    copy_to_clipboard(&key.replace(' ', ""));
                                    copied.set(true);
                                }
                            >
                                {move || if copied.get() { "Copied" } else { "Copy key" }}
                            </button>
                        </div>
                    },
                )
            }
            Some(Err(_)) => EitherOf3::B(()),
            None => {
                EitherOf3::C(
                    view! {
                        <p class="loading" role="status">
                            "Preparing your key…"
                        </p>
                    },
                )
            }
        }}
        <div class="dialog-actions">
            <button
                type="button"
                class="button primary"
                disabled=move || !matches!(start.value().get(), Some(Ok(_)))
                on:click=move |_| on_next()
            >
                "Next"
            </button>
        </div>
    }
}

#[component]
fn CheckStep(check: Call<CheckEnrollmentCode>) -> impl IntoView {
    view! {
        <IslandForm action=check>
            <CheckCodeField id="enroll-code" label="Enter the code displayed by your app" error=check.error() />
            <div class="dialog-actions">
                <ActionButton label="Check Code" pending_label="Checking…" pending=check.pending() />
            </div>
        </IslandForm>
    }
}
