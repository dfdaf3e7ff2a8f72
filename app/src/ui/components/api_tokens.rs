//! The Account page's "Personal access tokens" and "Application passwords":
//! make one (after the password, and a code with 2FA on), see it once with
//! "Copy", list them with their last use, revoke.

use leptos::either::Either;
use leptos::prelude::*;

use crate::ui::components::call::Call;

use crate::api_access::{ApiCredential, ApiCredentials, CredentialKind, NewSecret, Scope, NO_EXPIRY_WARNING};
use crate::model::format_date;
use crate::server_fns::tokens::{CreateApiToken, CreateAppPassword, MyApiCredentials, RevokeApiCredential};
use crate::ui::components::copyable::Copyable;
use crate::ui::components::forms::{ActionButton, Field, FormError, IslandForm};
use crate::ui::components::two_factor::KeyConfirmation;

/// A section's list, read again from the server after each change made here
/// (islands: the rest of the page is server-rendered and stays as it is).
fn live_list<A, B>(
    items: Vec<ApiCredential>,
    kind: CredentialKind,
    made: Call<A>,
    revoke: Call<B>,
) -> RwSignal<Vec<ApiCredential>>
where
    A: leptos::server_fn::ServerFn + 'static,
    A::Output: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
    B: leptos::server_fn::ServerFn + 'static,
    B::Output: serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    let list = RwSignal::new(items);
    let reread = Call::<MyApiCredentials>::new();
    Effect::new(move |_| {
        // Both read on every run, so that both stay tracked.
        let (made, revoked) = (made.value().get(), revoke.value().get());
        if matches!(made, Some(Ok(_))) || matches!(revoked, Some(Ok(_))) {
            reread.send(&[]);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(ApiCredentials { tokens, app_passwords })) = reread.value().get() {
            list.set(if kind == CredentialKind::PersonalAccessToken { tokens } else { app_passwords });
        }
    });
    list
}

/// A secret just made, with "Copy": shown this once.
#[component]
fn ShownOnce(made: NewSecret, label: &'static str) -> impl IntoView {
    view! {
        <div class="notice credentials" role="status">
            <Copyable label value=made.secret />
            <p>"Copy it now: it is shown only this once, and Portcullis keeps only a hash of it."</p>
        </div>
    }
}

fn used(c: &ApiCredential) -> String {
    match (c.last_used_at, &c.last_used_ip) {
        (Some(at), Some(ip)) => format!("last used {} from {ip}", format_date(at)),
        (Some(at), None) => format!("last used {}", format_date(at)),
        _ => "never used".to_string(),
    }
}

#[component]
fn CredentialList(
    items: RwSignal<Vec<ApiCredential>>,
    revoke: Call<RevokeApiCredential>,
    empty: &'static str,
) -> impl IntoView {
    move || {
        let items = items.get();
        if items.is_empty() {
            return Either::Left(view! { <p class="empty">{empty}</p> });
        }
        Either::Right(view! {
            <ul class="allowed-apps">
                {items
                    .into_iter()
                    .map(|c| {
                        let scopes: Vec<&str> = c.scopes.iter().map(|s| s.as_str()).collect();
                        let expiry = match c.expires_at {
                            Some(at) => format!("expires {}", format_date(at)),
                            None => "never expires".to_string(),
                        };
                        view! {
                            <li>
                                <p>
                                    <strong>{c.name.clone()}</strong>
                                    {format!(" ({}), created {}", scopes.join(", "), format_date(c.created_at))}
                                </p>
                                <p class="muted">{format!("{}; {expiry}", used(&c))}</p>
                                <IslandForm action=revoke attr:class="inline-form">
                                    <input type="hidden" name="id" value=c.id />
                                    <button
                                        type="submit"
                                        class="button small danger"
                                        aria-label=format!("Revoke {}", c.name)
                                        disabled=move || revoke.pending().get()
                                    >
                                        "Revoke"
                                    </button>
                                </IslandForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        })
    }
}

#[component]
fn Reauthenticate(
    prefix: &'static str,
    two_factor: bool,
    key_only: bool,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let password_id = if prefix == "token" { "token-password" } else { "app-password-password" };
    let code_id = if prefix == "token" { "token-code" } else { "app-password-code" };
    // Keys only: the arguments are there, empty, and a key confirmed just before is the proof.
    let refusal = move || error.get().and_then(|e| e.field_message("code").or_else(|| e.field_message("password")));
    view! {
        {(!key_only)
            .then(|| {
                view! {
                    <Field
                        label="Your password"
                        name="password"
                        kind="password"
                        autocomplete="current-password"
                        id=password_id
                        error
                    />
                }
            })}
        {(two_factor && !key_only)
            .then(|| {
                view! {
                    <Field
                        label="Code from your authenticator app"
                        name="code"
                        autocomplete="one-time-code"
                        id=code_id
                        error
                    />
                }
            })}
        {key_only
            .then(|| {
                view! {
                    <input type="hidden" name="password" value="" />
                    <input type="hidden" name="code" value="" />
                    <p class="muted">"Confirm with one of your security keys first:"</p>
                    <KeyConfirmation done="Confirmed. Go on within 5 minutes." />
                    <p class="form-error" role="alert" class:hidden=move || refusal().is_none()>
                        {refusal}
                    </p>
                }
            })}
    }
}

/// The Account page's "Personal access tokens" (an island: the new token is shown once, here).
#[island]
pub fn PersonalAccessTokens(items: Vec<ApiCredential>, two_factor: bool, key_only: bool) -> impl IntoView {
    let action = Call::<CreateApiToken>::new();
    let revoke = Call::<RevokeApiCredential>::new();
    let items = live_list(items, CredentialKind::PersonalAccessToken, action, revoke);
    let error = action.error();
    let no_expiry = RwSignal::new(false);
    view! {
        <section class="card" aria-labelledby="tokens-title">
            <h2 id="tokens-title">"Personal access tokens"</h2>
            <p>
                "For scripts and CI jobs calling the API at /api/v1: send " <code>"Authorization: Bearer <token>"</code>
                ". They work with two-factor authentication on."
            </p>
            {move || {
                action.value().get().and_then(Result::ok).map(|made| view! { <ShownOnce made label="Token" /> })
            }}
            <FormError error=revoke.error() />
            <CredentialList items revoke empty="No personal access tokens." />
            <details>
                <summary>"Generate token"</summary>
                <IslandForm action attr:class="form">
                    <Field
                        label="Name"
                        name="name"
                        id="token-name"
                        hint="What it is for, e.g. \"CI deploy job\"."
                        error
                    />
                    <fieldset class="field">
                        <legend>"Scopes"</legend>
                        {Scope::ALL
                            .into_iter()
                            .map(|scope| {
                                let name = match scope {
                                    Scope::Read => "read",
                                    Scope::Write => "write",
                                    Scope::AdminOrg => "admin_org",
                                };
                                let id = format!("token-scope-{name}");
                                view! {
                                    <div class="field checkbox">
                                        <input
                                            id=id.clone()
                                            type="checkbox"
                                            name=name
                                            value="true"
                                            checked=scope == Scope::Read
                                        />
                                        <label for=id>{format!("{} — {}", scope.as_str(), scope.describe())}</label>
                                    </div>
                                }
                            })
                            .collect_view()}
                        <p class="field-error" role="alert">
                            {move || error.get().and_then(|e| e.field_message("scopes"))}
                        </p>
                    </fieldset>
                    <div class="field">
                        <label for="token-expiry">"Expiration"</label>
                        <select
                            id="token-expiry"
                            name="expires_in_days"
                            on:change=move |ev| no_expiry.set(event_target_value(&ev) == "0")
                        >
                            <option value="30">"30 days"</option>
                            <option value="90" selected=true>
                                "90 days"
                            </option>
                            <option value="365">"365 days"</option>
                            <option value="0">"No expiration"</option>
                        </select>
                        <p class="hint warning" role="status" class:hidden=move || !no_expiry.get()>
                            {NO_EXPIRY_WARNING}
                        </p>
                    </div>
                    <Reauthenticate prefix="token" two_factor key_only error />
                    <FormError error />
                    <ActionButton label="Generate token" pending_label="Generating…" pending=action.pending() />
                </IslandForm>
            </details>
        </section>
    }
}

/// The Account page's "Application passwords" (an island, as the tokens).
#[island]
pub fn ApplicationPasswords(items: Vec<ApiCredential>, two_factor: bool, key_only: bool) -> impl IntoView {
    let action = Call::<CreateAppPassword>::new();
    let revoke = Call::<RevokeApiCredential>::new();
    let items = live_list(items, CredentialKind::ApplicationPassword, action, revoke);
    let error = action.error();
    view! {
        <section class="card" aria-labelledby="app-passwords-title">
            <h2 id="app-passwords-title">"Application passwords"</h2>
            <p>
                "For programs that can send only an email and a password (HTTP Basic) to the API at /api/v1. \
                 They never work in the login form."
            </p>
            {move || {
                action
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .map(|made| view! { <ShownOnce made label="Application password" /> })
            }}
            <FormError error=revoke.error() />
            <CredentialList items revoke empty="No application passwords." />
            <details>
                <summary>"Generate application password"</summary>
                <IslandForm action attr:class="form">
                    <Field label="Name" name="name" id="app-password-name" hint="The program that will use it." error />
                    <Reauthenticate prefix="app" two_factor key_only error />
                    <FormError error />
                    <ActionButton
                        label="Generate application password"
                        pending_label="Generating…"
                        pending=action.pending()
                    />
                </IslandForm>
            </details>
        </section>
    }
}
