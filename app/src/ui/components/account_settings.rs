//! The Account page's own settings: the email address (verified or not, and
//! changing it), the password, and "Where you're signed in". Plain forms
//! posting to server functions: they work before hydration and without
//! JavaScript, and the page that comes back says what happened.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::model::{format_date, format_utc_time, EmailStatus, SignedInSession};
use crate::server_fns::account::{
    ChangeEmail, ChangePassword, ResendVerification, SignOutEverywhereElse, SignOutSession,
};
use crate::ui::components::forms::{last_error, Field, FormError, SubmitButton};
use crate::ui::components::two_factor::KeyConfirmation;
use crate::validate::PASSWORD_MIN;

/// What proves it is you besides the password: a code from the app, or a
/// security key confirmed on this page (keys only).
#[component]
pub(crate) fn SecondStep(
    two_factor: bool,
    key_only: bool,
    id: &'static str,
    #[prop(into)] error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    match (two_factor, key_only) {
        (false, _) => view! { <input type="hidden" name="code" value="" /> }.into_any(),
        (true, true) => view! {
            <input type="hidden" name="code" value="" />
            <KeyConfirmation done="Confirmed. Go on within 5 minutes." />
        }
        .into_any(),
        (true, false) => view! {
            <Field
                label="Authentication code"
                name="code"
                id
                autocomplete="one-time-code"
                hint="The 6-digit code your authenticator app shows now."
                error
            />
        }
        .into_any(),
    }
}

#[component]
pub fn EmailSection(status: EmailStatus, two_factor: bool, key_only: bool) -> impl IntoView {
    let query = use_query_map();
    let resend = ServerAction::<ResendVerification>::new();
    let change = ServerAction::<ChangeEmail>::new();
    let resend_error = last_error(resend);
    // The <details> below open again when their form came back refused, so the error shows.
    let change_error = last_error(change);
    let sent = move || {
        matches!(resend.value().get(), Some(Ok(()))) || query.read().get("sent").as_deref() == Some("verification")
    };
    let changed =
        move || matches!(change.value().get(), Some(Ok(()))) || query.read().get("saved").as_deref() == Some("email");
    let email = status.email.clone();
    let badge = if status.verified {
        view! { <span class="badge on">"Verified"</span> }.into_any()
    } else {
        view! { <span class="badge off">"Not verified"</span> }.into_any()
    };
    let unverified = (!status.verified).then(|| {
        view! {
            <p class="muted">
                "We sent a link to this address. Open it to verify the address: invitations to it can be accepted only then."
            </p>
            <ActionForm action=resend attr:class="inline-form">
                <FormError error=resend_error />
                <SubmitButton label="Send the link again" pending_label="Sending…" class="button small" />
            </ActionForm>
        }
    });
    view! {
        <section class="card" aria-labelledby="email-title">
            <h2 id="email-title">"Email address"</h2>
            <p>
                <strong>{email.clone()}</strong>
                " "
                {badge}
            </p>
            <p role="status">
                {move || sent().then(|| format!("We sent a new link to {email}. It works for 24 hours."))}
                {move || {
                    changed()
                        .then_some(
                            "Your email address was changed. Open the link we sent to the new address to verify it.",
                        )
                }}
            </p>
            {unverified}
            <details class="panel" open=move || change_error.get().is_some()>
                <summary class="button">"Change email address"</summary>
                <ActionForm action=change>
                    <FormError error=change_error />
                    <Field
                        label="New email address"
                        name="email"
                        id="change-email"
                        kind="email"
                        autocomplete="email"
                        error=change_error
                    />
                    <Field
                        label="Password"
                        name="password"
                        id="change-email-password"
                        kind="password"
                        autocomplete="current-password"
                        required=!key_only
                        error=change_error
                    />
                    <SecondStep two_factor key_only id="change-email-code" error=change_error />
                    <SubmitButton label="Change email address" pending_label="Changing…" />
                </ActionForm>
            </details>
        </section>
    }
}

#[component]
pub fn PasswordSection(
    two_factor: bool,
    key_only: bool,
    /// More ways to change the password ("Remove password").
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let query = use_query_map();
    let change = ServerAction::<ChangePassword>::new();
    let error = last_error(change);
    let changed = move || {
        matches!(change.value().get(), Some(Ok(()))) || query.read().get("saved").as_deref() == Some("password")
    };
    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">"Password"</h2>
            <p role="status">
                {move || { changed().then_some("Your password was changed. Your other browsers were signed out.") }}
            </p>
            <details class="panel" open=move || error.get().is_some()>
                <summary class="button">"Change password"</summary>
                <ActionForm action=change>
                    <FormError error />
                    <Field
                        label="Current password"
                        name="current_password"
                        id="current-password"
                        kind="password"
                        autocomplete="current-password"
                        error
                    />
                    <SecondStep two_factor key_only id="change-password-code" error />
                    <Field
                        label="New password"
                        name="password"
                        id="new-password"
                        kind="password"
                        autocomplete="new-password"
                        hint="At least 8 characters, and not one of the most common passwords. A long passphrase is best."
                        minlength=PASSWORD_MIN as u32
                        error
                    />
                    <p class="muted">"Your other browsers will be signed out; this one stays signed in."</p>
                    <SubmitButton label="Change password" pending_label="Changing…" />
                </ActionForm>
            </details>
            {children.map(|children| children())}
        </section>
    }
}

/// "Where you're signed in".
#[component]
pub fn SessionsSection(sessions: Vec<SignedInSession>) -> impl IntoView {
    let query = use_query_map();
    let end = ServerAction::<SignOutSession>::new();
    let end_others = ServerAction::<SignOutEverywhereElse>::new();
    let end_error = last_error(end);
    let others_error = last_error(end_others);
    let ended = move || query.read().get("ended").is_some();
    let has_others = sessions.iter().any(|s| !s.current);
    let rows = sessions
        .into_iter()
        .map(|s| {
            let label = format!("Sign out {}", s.browser);
            let action = if s.current {
                view! { <span class="badge on">"This browser"</span> }.into_any()
            } else {
                view! {
                    <ActionForm action=end attr:class="inline-form">
                        <input type="hidden" name="id" value=s.id.clone() />
                        <button type="submit" class="button small danger" aria-label=label>
                            "Sign out"
                        </button>
                    </ActionForm>
                }
                .into_any()
            };
            view! {
                <tr>
                    <td>{s.browser.clone()}</td>
                    <td>{s.address.clone().unwrap_or_else(|| "\u{2014}".into())}</td>
                    <td>{when(s.started_at)}</td>
                    <td>{when(s.last_active_at)}</td>
                    <td>{s.how}</td>
                    <td>{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <h2 id="sessions-title">"Where you're signed in"</h2>
            <p role="status">{move || ended().then_some("Signed out.")}</p>
            <FormError error=end_error />
            <FormError error=others_error />
            <div class="table-wrap" tabindex="0" role="group" aria-label="Where you're signed in">
                <table class="sessions">
                    <caption class="visually-hidden">"Where you're signed in"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Browser"</th>
                            <th scope="col">"Address"</th>
                            <th scope="col">"Started"</th>
                            <th scope="col">"Last active"</th>
                            <th scope="col">"Signed in with"</th>
                            <th scope="col">
                                <span class="visually-hidden">"Action"</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {has_others
                .then(|| {
                    view! {
                        <ActionForm action=end_others>
                            <SubmitButton
                                label="Sign out everywhere else"
                                pending_label="Signing out…"
                                class="button danger"
                            />
                        </ActionForm>
                    }
                })}
        </section>
    }
}

/// A moment as the Account page's tables show it (UTC).
pub(crate) fn when(at: i64) -> String {
    format!("{} {}", format_date(at), format_utc_time(at))
}
