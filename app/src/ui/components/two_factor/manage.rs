//! Reveal, regenerate and disable: each behind the password and a code, or,
//! on an account whose second factors are security keys only, behind a key
//! confirmed just before ("Confirm with your security key", `KeyConfirmation`).

use leptos::either::Either;
use leptos::prelude::*;

use crate::ui::components::call::Call;

use super::codes::BackupCodeList;
use crate::server_fns::twofactor::{DisableTwoFactor, RegenerateCodes, RevealCodes};
use crate::ui::components::forms::{ActionButton, Field, FormError, IslandForm};

#[component]
fn CodeField(
    #[prop(into)] error: Signal<Option<crate::error::AppError>>,
    hint: &'static str,
    id: &'static str,
) -> impl IntoView {
    view! { <Field label="Authentication code" name="code" id autocomplete="one-time-code" hint error /> }
}

/// The three forms share one page: each field needs an id of its own, or
/// every label would point at the first form's input.
#[component]
fn PasswordField(#[prop(into)] error: Signal<Option<crate::error::AppError>>, id: &'static str) -> impl IntoView {
    view! { <Field label="Password" name="password" id kind="password" autocomplete="current-password" error /> }
}

/// What proves it is you: the password and a code, or, with security keys
/// only, the key confirmed above (nothing to type).
#[component]
fn Proof(
    key_only: bool,
    #[prop(into)] error: Signal<Option<crate::error::AppError>>,
    ids: (&'static str, &'static str),
    hint: &'static str,
) -> impl IntoView {
    if key_only {
        // No field to show it beside: the refusal ("confirm with one of your security keys first") goes here.
        let refusal = move || error.get().and_then(|e| e.field_message("code").or_else(|| e.field_message("password")));
        return Either::Left(view! {
            // The arguments are there, empty: the key confirmed in this session is the proof.
            <input type="hidden" name="password" value="" />
            <input type="hidden" name="code" value="" />
            <p class="muted">"Confirm with your security key above first."</p>
            {move || {
                refusal()
                    .map(|message| {
                        view! {
                            <p class="form-error" role="alert">
                                {message}
                            </p>
                        }
                    })
            }}
        });
    }
    Either::Right(view! {
        <PasswordField id=ids.0 error />
        <CodeField id=ids.1 error hint />
    })
}

/// "Confirm with your security key": a key's answer in this session, good
/// for the next protection change within 5 minutes (public/webauthn.js).
#[component]
pub fn KeyConfirmation(done: &'static str) -> impl IntoView {
    view! {
        <div data-webauthn-scope="" class="key-step">
            <button type="button" class="button" data-webauthn="confirm">
                "Confirm with your security key"
            </button>
            <p role="status" data-webauthn-done="" hidden=true>
                {done}
            </p>
            <p class="form-error" role="alert" data-webauthn-error="" hidden=true></p>
        </div>
    }
}

#[component]
pub fn RevealForm(key_only: bool) -> impl IntoView {
    let action = Call::<RevealCodes>::new();
    let error = action.error();
    view! {
        <details class="panel">
            <summary class="button">"Reveal codes"</summary>
            <IslandForm action=action>
                <FormError error />
                <Proof
                    key_only
                    error
                    ids=("reveal-password", "reveal-code")
                    hint="The 6-digit code your authenticator app shows now. Backup codes are not accepted here."
                />
                <ActionButton label="Reveal codes" pending_label="Checking…" pending=action.pending() />
            </IslandForm>
            {move || {
                action
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|codes| {
                        view! {
                            <ol class="backup-codes" aria-label="Your backup codes">
                                {codes
                                    .into_iter()
                                    .map(|c| {
                                        if c.used {
                                            Either::Left(
                                                view! {
                                                    <li class="used">
                                                        <s>
                                                            <code>{c.code}</code>
                                                        </s>
                                                        <span class="visually-hidden">" (used)"</span>
                                                    </li>
                                                },
                                            )
                                        } else {
                                            Either::Right(
                                                view! {
                                                    <li>
                                                        <code>{c.code}</code>
                                                    </li>
                                                },
                                            )
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        }
                    })
            }}
        </details>
    }
}

#[component]
pub fn RegenerateForm(action: Call<RegenerateCodes>, account: String, key_only: bool) -> impl IntoView {
    let error = action.error();
    view! {
        <details class="panel">
            <summary class="button">"Regenerate codes"</summary>
            <p class="muted">"Your current backup codes stop working at once."</p>
            <IslandForm action=action>
                <FormError error />
                <Proof
                    key_only
                    error
                    ids=("regenerate-password", "regenerate-code")
                    hint="The 6-digit code your authenticator app shows now."
                />
                <ActionButton label="Regenerate codes" pending_label="Regenerating…" pending=action.pending() />
            </IslandForm>
            {move || {
                action
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|codes| {
                        view! {
                            <p class="success" role="status">
                                "New backup codes. Save them now: they are not shown again like this."
                            </p>
                            <BackupCodeList codes account=account.clone() />
                        }
                    })
            }}
        </details>
    }
}

#[component]
pub fn DisableForm(action: Call<DisableTwoFactor>, key_only: bool) -> impl IntoView {
    let error = action.error();
    view! {
        <details class="panel">
            <summary class="button danger">"Disable 2FA"</summary>
            <p class="muted">"You stay signed in here; your other sessions end."</p>
            <IslandForm action=action>
                <FormError error />
                <Proof
                    key_only
                    error
                    ids=("disable-password", "disable-code")
                    hint="A code from your authenticator app, or a backup code."
                />
                <ActionButton
                    label="Disable 2FA"
                    pending_label="Disabling…"
                    pending=action.pending()
                    class="button danger"
                />
            </IslandForm>
        </details>
    }
}
