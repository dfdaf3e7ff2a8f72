//! "Connected accounts" (other identity providers) and, for an account that
//! may go without it, "Remove password", on the Account page. Plain forms:
//! they work before the wasm and without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::model::format_date;
use crate::server_fns::upstream::{ConnectProvider, DisconnectProvider, RemovePassword};
use crate::ui::components::account_settings::SecondStep;
use crate::ui::components::forms::{last_error, Field, FormError, SubmitButton};
use crate::upstream::{ConnectedAccounts, ProviderLink};

#[component]
pub fn ConnectedAccountsSection(accounts: ConnectedAccounts, two_factor: bool, key_only: bool) -> impl IntoView {
    let query = use_query_map();
    let connect = ServerAction::<ConnectProvider>::new();
    let disconnect = ServerAction::<DisconnectProvider>::new();
    let connect_error = last_error(connect);
    let disconnect_error = last_error(disconnect);
    let connected =
        move || query.read().get("connected").map(|name| format!("{name} is connected. You can sign in with it now."));
    let disconnected = move || query.read().get("disconnected").map(|_| "Disconnected.".to_string());
    let has_password = accounts.has_password;
    let (linked, open): (Vec<_>, Vec<_>) = accounts.providers.into_iter().partition(|p| p.connected_since.is_some());
    let rows = linked.into_iter().map(|p| connected_row(p, disconnect)).collect_view();
    let nothing = open.is_empty() && rows.is_empty();
    view! {
        <section class="card" aria-labelledby="connected-title">
            <h2 id="connected-title">"Connected accounts"</h2>
            <p class="muted">
                "Sign in with another identity provider instead of your password. Signing in that way does not ask for your two-factor code: the provider checks who you are."
            </p>
            <p role="status">{move || connected().or_else(disconnected)}</p>
            <FormError error=disconnect_error />
            {nothing.then(|| view! { <p class="muted">"This server has no other identity providers set up."</p> })}
            <ul class="plain-list">{rows}</ul>
            {(!open.is_empty())
                .then(|| view! { <ConnectForm open has_password two_factor key_only connect error=connect_error /> })}
        </section>
    }
}

fn connected_row(p: ProviderLink, disconnect: ServerAction<DisconnectProvider>) -> impl IntoView {
    let who = p.email.map(|e| format!(" as {e}")).unwrap_or_default();
    let since = p.connected_since.map(format_date).unwrap_or_default();
    let name = p.name;
    view! {
        <li class="row">
            <span>
                <strong>{name.clone()}</strong>
                {format!(" connected{who} on {since}")}
            </span>
            <ActionForm action=disconnect attr:class="inline-form">
                <input type="hidden" name="provider_id" value=p.id.to_string() />
                <SubmitButton
                    label=format!("Disconnect {name}")
                    pending_label="Disconnecting…"
                    class="button danger"
                />
            </ActionForm>
        </li>
    }
}

/// One form for the providers not connected yet: which one, and the re-authentication.
#[component]
fn ConnectForm(
    open: Vec<ProviderLink>,
    has_password: bool,
    two_factor: bool,
    key_only: bool,
    connect: ServerAction<ConnectProvider>,
    #[prop(into)] error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let label = match open.as_slice() {
        [only] => format!("Connect {}", only.name),
        _ => "Connect".to_string(),
    };
    let choice = match open.as_slice() {
        [only] => view! { <input type="hidden" name="provider_id" value=only.id.to_string() /> }.into_any(),
        _ => {
            let options =
                open.iter().map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> }).collect_view();
            view! {
                <label class="field">
                    <span>"Provider"</span>
                    <select name="provider_id">{options}</select>
                </label>
            }
            .into_any()
        }
    };
    view! {
        <details class="panel" open=move || error.get().is_some()>
            <summary class="button">{label.clone()}</summary>
            // The provider's page is another site: the browser loads it, not the page swap.
            <div data-document="">
                <ActionForm action=connect>
                    <FormError error />
                    {choice}
                    {has_password
                        .then(|| {
                            view! {
                                <Field
                                    label="Current password"
                                    name="password"
                                    id="connect-password"
                                    kind="password"
                                    autocomplete="current-password"
                                    error
                                />
                                <SecondStep two_factor key_only id="connect-code" error />
                            }
                        })}
                    <p class="muted">"You will sign in at the provider, then come back here."</p>
                    <SubmitButton label=label pending_label="Connecting…" />
                </ActionForm>
            </div>
        </details>
    }
}

/// "Remove password": only when a provider is connected or a passkey registered.
#[component]
pub fn RemovePasswordPanel(two_factor: bool, key_only: bool) -> impl IntoView {
    let remove = ServerAction::<RemovePassword>::new();
    let error = last_error(remove);
    view! {
        <details class="panel" open=move || error.get().is_some()>
            <summary class="button">"Remove password"</summary>
            <ActionForm action=remove>
                <FormError error />
                <p class="muted">
                    "You will sign in only with your connected accounts or passkeys. Your other browsers will be signed out."
                </p>
                <Field
                    label="Current password"
                    name="password"
                    id="remove-password-current"
                    kind="password"
                    autocomplete="current-password"
                    error
                />
                <SecondStep two_factor key_only id="remove-password-code" error />
                <SubmitButton label="Remove password" pending_label="Removing…" class="button danger" />
            </ActionForm>
        </details>
    }
}
