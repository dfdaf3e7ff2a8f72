//! Reveal, regenerate and disable: each behind the password and a code.

use leptos::either::Either;
use leptos::prelude::*;

use super::codes::BackupCodeList;
use crate::api::twofactor::{DisableTwoFactor, RegenerateCodes, RevealCodes};
use crate::ui::components::forms::{last_error, ActionButton, Field, FormError, IslandForm};

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

#[component]
pub fn RevealForm() -> impl IntoView {
    let action = ServerAction::<RevealCodes>::new();
    let error = last_error(action);
    view! {
        <details class="panel">
            <summary class="button">"Reveal codes"</summary>
            <IslandForm action=action>
                <FormError error />
                <PasswordField id="reveal-password" error />
                <CodeField
                    id="reveal-code"
                    error
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
pub fn RegenerateForm(action: ServerAction<RegenerateCodes>, account: String) -> impl IntoView {
    let error = last_error(action);
    view! {
        <details class="panel">
            <summary class="button">"Regenerate codes"</summary>
            <p class="muted">"Your current backup codes stop working at once."</p>
            <IslandForm action=action>
                <FormError error />
                <PasswordField id="regenerate-password" error />
                <CodeField id="regenerate-code" error hint="The 6-digit code your authenticator app shows now." />
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
pub fn DisableForm(action: ServerAction<DisableTwoFactor>) -> impl IntoView {
    let error = last_error(action);
    view! {
        <details class="panel">
            <summary class="button danger">"Disable 2FA"</summary>
            <p class="muted">"You stay signed in here; your other sessions end."</p>
            <IslandForm action=action>
                <FormError error />
                <PasswordField id="disable-password" error />
                <CodeField id="disable-code" error hint="A code from your authenticator app, or a backup code." />
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
