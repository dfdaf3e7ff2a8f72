//! "Text message (SMS)" in the "Two Factor Auth" dialog, and "Change
//! number": step 1 the number (with the password, and a code when 2FA is
//! on), step 2 "Check Code" with "Send the code again", step 3 the backup
//! codes when the account had none (as for the app). The number becomes a
//! factor only at the end; the page then loads again.

use leptos::either::EitherOf4;
use leptos::html;
use leptos::prelude::*;

use super::codes::{CheckCodeField, SaveCodesStep};
use crate::server_fns::sms::{CheckSmsCode, FinishSmsEnrollment, ResendSmsCode, StartSmsEnrollment};
use crate::ui::components::browser::reload_page;
use crate::ui::components::call::Call;
use crate::ui::components::forms::{ActionButton, Field, FormError, IslandForm};

/// The steps, inside the dialog; `step` tells the dialog's "Step N of 3".
#[component]
pub fn SmsSteps(account: String, two_factor_on: bool, step: RwSignal<u8>) -> impl IntoView {
    let start = Call::<StartSmsEnrollment>::new();
    let check = Call::<CheckSmsCode>::new();
    let finish = Call::<FinishSmsEnrollment>::new();
    let codes = move || check.value().get().and_then(Result::ok);
    Effect::new(move |_| {
        let now = match (start.value().get(), codes()) {
            (_, Some(_)) => 3,
            (Some(Ok(_)), None) => 2,
            _ => 1,
        };
        step.set(now);
    });
    // No new backup codes (the account has them): the number is set at once.
    Effect::new(move |_| {
        if codes().is_some_and(|c| c.is_empty()) && finish.value().get_untracked().is_none() {
            finish.send(&[]);
        }
    });
    Effect::new(move |_| {
        if matches!(finish.value().get(), Some(Ok(()))) {
            reload_page("#tfa-title");
        }
    });
    view! {
        {move || match step.get() {
            1 => EitherOf4::A(view! { <NumberStep start two_factor_on /> }),
            2 => {
                let masked = start.value().get().and_then(Result::ok).map(|s| s.masked).unwrap_or_default();
                EitherOf4::B(view! { <TextCheckStep check masked /> })
            }
            _ => {
                let codes = codes().unwrap_or_default();
                if codes.is_empty() {
                    EitherOf4::C(
                        view! {
                            <FormError error=finish.error() />
                            <p role="status">"Saving your number…"</p>
                        },
                    )
                } else {
                    let on_save = move || finish.send(&[]);
                    EitherOf4::D(
                        view! {
                            <SaveCodesStep
                                codes
                                account=account.clone()
                                pending=finish.pending()
                                error=finish.error()
                                on_save
                            />
                        },
                    )
                }
            }
        }}
    }
}

#[component]
fn NumberStep(start: Call<StartSmsEnrollment>, two_factor_on: bool) -> impl IntoView {
    let first = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if let Some(el) = first.get().and_then(|d| d.query_selector("input").ok().flatten()) {
            use wasm_bindgen::JsCast;
            if let Ok(el) = el.dyn_into::<leptos::web_sys::HtmlElement>() {
                let _ = el.focus();
            }
        }
    });
    let error = start.error();
    let code = two_factor_on.then(|| {
        view! {
            <Field
                label="Authentication code"
                name="code"
                id="sms-setup-code"
                autocomplete="one-time-code"
                hint="The code your authenticator app shows now, or one of your backup codes."
                error
            />
        }
    });
    view! {
        <p>
            "Enter your phone number with its country code. We will text it a 6-digit code to check that it is yours."
        </p>
        <IslandForm action=start>
            <FormError error />
            <div node_ref=first>
                <Field
                    label="Phone number"
                    name="phone"
                    id="sms-setup-phone"
                    kind="tel"
                    autocomplete="tel"
                    placeholder="+1 415 555 0123"
                    error
                />
            </div>
            <Field
                label="Password"
                name="password"
                id="sms-setup-password"
                kind="password"
                autocomplete="current-password"
                error
            />
            {code}
            <div class="dialog-actions">
                <ActionButton label="Send Code" pending_label="Sending…" pending=start.pending() />
            </div>
        </IslandForm>
    }
}

#[component]
fn TextCheckStep(check: Call<CheckSmsCode>, masked: String) -> impl IntoView {
    let resend = Call::<ResendSmsCode>::new();
    let resent = move || match resend.value().get() {
        Some(Ok(sent)) => Some(format!("A new code is on its way to {}.", sent.masked)),
        Some(Err(e)) => Some(e.to_string()),
        None => None,
    };
    view! {
        <p role="status">{format!("We sent a code to {masked}. It expires in 5 minutes.")}</p>
        <IslandForm action=check>
            <CheckCodeField id="sms-enroll-code" label="Enter the code from the text message" error=check.error() />
            <div class="dialog-actions">
                <button
                    type="button"
                    class="button"
                    disabled=move || resend.pending().get()
                    on:click=move |_| resend.send(&[])
                >
                    {move || if resend.pending().get() { "Sending…" } else { "Send the code again" }}
                </button>
                <ActionButton label="Check Code" pending_label="Checking…" pending=check.pending() />
            </div>
            <p class="muted" role="status">
                {resent}
            </p>
        </IslandForm>
    }
}
