//! The enrollment dialog: step 1 scan (or type the key), step 2 "Check Code",
//! step 3 save the backup codes. A native modal <dialog>: the page behind is
//! inert, focus stays inside, and Esc cancels.

use leptos::either::{EitherOf3, EitherOf4};
use leptos::html;
use leptos::prelude::*;

use crate::ui::components::call::Call;

use super::codes::BackupCodeList;
use crate::server_fns::twofactor::{
    CancelEnrollment, CheckEnrollmentCode, FinishEnrollment, StartEnrollment, PASSWORD_NEEDED,
};
use crate::ui::components::browser::{copy_to_clipboard, keep_tab_inside};
use crate::ui::components::forms::{ActionButton, Field, FormError, IslandForm};

#[component]
pub fn EnrollDialog(
    account: String,
    finish: Call<FinishEnrollment>,
    on_close: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();
    let start = Call::<StartEnrollment>::new();
    let check = Call::<CheckEnrollmentCode>::new();
    let cancel = Call::<CancelEnrollment>::new();
    let next_clicked = RwSignal::new(false);
    let finished_at = finish.version().get_untracked();

    start.send(&[]);
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            if !d.open() {
                let _ = d.show_modal();
            }
        }
    });

    let codes = move || check.value().get().and_then(Result::ok);
    // The server asks for the password when this session last gave it a while ago.
    let needs_password = move || matches!(start.value().get(), Some(Err(e)) if e.field_message("password").is_some());
    let step = move || {
        if codes().is_some() {
            3
        } else if next_clicked.get() {
            2
        } else {
            1
        }
    };

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
            cancel.send(&[]);
            on_close();
        }
    };
    let abandon_esc = abandon.clone();

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
                {move || format!("Step {} of 3", step())}
            </p>
            {move || match step() {
                1 if needs_password() => EitherOf4::A(view! { <PasswordStep start /> }),
                1 => EitherOf4::B(view! { <ScanStep start on_next=move || next_clicked.set(true) /> }),
                2 => EitherOf4::C(view! { <CheckStep check /> }),
                _ => {
                    EitherOf4::D(
                        view! { <SaveStep codes=codes().unwrap_or_default() account=account.clone() finish /> },
                    )
                }
            }}
        </dialog>
    }
}

#[component]
fn PasswordStep(start: Call<StartEnrollment>) -> impl IntoView {
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
        start.value().get().and_then(Result::err).filter(|e| e.reason() != Some(PASSWORD_NEEDED))
    });
    view! {
        <p>"For your security, enter your password again before setting up two-factor authentication."</p>
        <IslandForm action=start>
            <FormError error />
            <div node_ref=input>
                <Field label="Password" name="password" kind="password" autocomplete="current-password" error />
            </div>
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
    let input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let error = check.error();
    let message = move || error.get().map(|e| e.to_string());
    view! {
        <IslandForm action=check>
            <div class="field" class:invalid=move || message().is_some()>
                <label for="enroll-code">"Enter the code displayed by your app"</label>
                <input
                    id="enroll-code"
                    node_ref=input
                    name="code"
                    inputmode="numeric"
                    autocomplete="one-time-code"
                    maxlength="9"
                    required=true
                    aria-invalid=move || message().is_some().then_some("true")
                    aria-describedby="enroll-code-error"
                />
                <p class="field-error" id="enroll-code-error" role="alert">
                    {message}
                </p>
            </div>
            <div class="dialog-actions">
                <ActionButton label="Check Code" pending_label="Checking…" pending=check.pending() />
            </div>
        </IslandForm>
    }
}

#[component]
fn SaveStep(codes: Vec<String>, account: String, finish: Call<FinishEnrollment>) -> impl IntoView {
    let heading = NodeRef::<html::H3>::new();
    Effect::new(move |_| {
        if let Some(el) = heading.get() {
            let _ = el.focus();
        }
    });
    let error = finish.error();
    view! {
        <h3 node_ref=heading tabindex="-1">
            "Save your backup codes"
        </h3>
        <p>
            "If you lose your phone, each of these codes logs you in once. Keep them somewhere safe: they are your last resort."
        </p>
        <BackupCodeList codes account />
        <FormError error />
        <div class="dialog-actions">
            <button
                type="button"
                class="button primary"
                disabled=move || finish.pending().get()
                on:click=move |_| {
                    finish.send(&[]);
                }
            >
                {move || if finish.pending().get() { "Enabling…" } else { "I've Saved my Codes" }}
            </button>
        </div>
    }
}
