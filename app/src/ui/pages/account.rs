use leptos::prelude::*;
use leptos_meta::Title;

use leptos_router::hooks::use_query_map;

use super::signed_in_user;
use crate::server_fns::account::{load_browser_settings, load_email_status, my_sessions};
use crate::server_fns::applications::{my_applications, RevokeApplication};
use crate::server_fns::auth::security_log;
use crate::server_fns::security_keys::load_security_keys;
use crate::server_fns::tokens::my_api_credentials;
use crate::server_fns::twofactor::get_two_factor_status;
use crate::server_fns::upstream::load_connected_accounts;
use crate::ui::auth::Auth;
use crate::ui::components::account_settings::{EmailSection, PasswordSection, SessionsSection};
use crate::ui::components::api_tokens::{ApplicationPasswords, PersonalAccessTokens};
use crate::ui::components::applications::AllowedApplications;
use crate::ui::components::connected_accounts::{ConnectedAccountsSection, RemovePasswordPanel};
use crate::ui::components::forms::LoadError;
use crate::ui::components::log_table::LogTable;
use crate::ui::components::remembered_browsers::RememberedBrowsersSection;
use crate::ui::components::security_keys::SecurityKeysSection;
use crate::ui::components::two_factor::{TextMessagesSection, TwoFactorSection};

#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let two_factor = Resource::new(|| (), |_| get_two_factor_status());
    let query = use_query_map();
    let revoke = ServerAction::<RevokeApplication>::new();
    let apps = Resource::new(move || revoke.version().get(), |_| my_applications());
    let credentials = Resource::new(|| (), |_| my_api_credentials());
    let keys = Resource::new(|| (), |_| load_security_keys());
    let email = Resource::new(|| (), |_| load_email_status());
    let sessions = Resource::new(|| (), |_| my_sessions());
    let browsers = Resource::new(|| (), |_| load_browser_settings());
    let connected = Resource::new(|| (), |_| load_connected_accounts());
    let log = Resource::new(
        move || (query.read().get("log").and_then(|p| p.parse::<i64>().ok()).unwrap_or(0), revoke.version().get()),
        |(page, _)| security_log(page),
    );
    view! {
        <Title text="Account" />
        <Transition fallback=|| {
            view! { <p class="loading">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let user = match signed_in_user(auth).await {
                    Ok(user) => user,
                    Err(view) => return view,
                };
                let status = two_factor.await;
                let log = log.await;
                let apps = apps.await.unwrap_or_default();
                let credentials = credentials.await.unwrap_or_default();
                let keys = keys.await;
                let email = email.await;
                let sessions = sessions.await;
                let browsers = browsers.await;
                let connected = connected.await;
                let two_factor_on = status.as_ref().is_ok_and(|s| s.enabled);
                let key_only = status.as_ref().is_ok_and(|s| s.enabled && !s.authenticator_app);
                // Keys only: a key confirmed on this page stands in for the password and code.
                view! {
                    <div class="stack">
                        <section class="card">
                            <h1>"Account"</h1>
                            <dl class="details">
                                <dt>"Name"</dt>
                                <dd>{user.name.clone()}</dd>
                                <dt>"Email"</dt>
                                <dd>{user.email.clone()}</dd>
                            </dl>
                        </section>
                        {match email {
                            Ok(status) => view! { <EmailSection status two_factor=two_factor_on key_only /> }.into_any(),
                            Err(e) => view! { <LoadError error=e /> }.into_any(),
                        }}
                        {password_section(connected.as_ref().ok(), two_factor_on, key_only)}
                        {match status {
                            Ok(status) => {
                                let texts = status
                                    .sms
                                    .is_some()
                                    .then(|| view! { <TextMessagesSection status=status.clone() /> });
                                view! {
                                    <TwoFactorSection account=user.email.clone() status />
                                    {texts}
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <LoadError error=e /> }.into_any(),
                        }}
                        <SecurityKeysSection keys />
                        {match connected {
                            Ok(accounts) => {
                                view! { <ConnectedAccountsSection accounts two_factor=two_factor_on key_only /> }
                                    .into_any()
                            }
                            Err(e) => view! { <LoadError error=e /> }.into_any(),
                        }}
                        <PersonalAccessTokens items=credentials.tokens two_factor=two_factor_on key_only />
                        <ApplicationPasswords items=credentials.app_passwords two_factor=two_factor_on key_only />
                        <AllowedApplications apps revoke />
                        {match sessions {
                            Ok(sessions) => view! { <SessionsSection sessions /> }.into_any(),
                            Err(e) => view! { <LoadError error=e /> }.into_any(),
                        }}
                        {match browsers {
                            Ok(settings) => view! { <RememberedBrowsersSection settings /> }.into_any(),
                            Err(e) => view! { <LoadError error=e /> }.into_any(),
                        }}
                        <section class="card" aria-labelledby="log-title">
                            <h2 id="log-title">"Security log"</h2>
                            {match log {
                                Ok(page) => {
                                    view! { <LogTable page caption="Security log" param="log" audit=false /> }
                                        .into_any()
                                }
                                Err(e) => view! { <LoadError error=e /> }.into_any(),
                            }}
                        </section>
                    </div>
                }
                    .into_any()
            })}
        </Transition>
    }
}

/// "Password": change it (and remove it, when another way in exists), or,
/// without one, how the account signs in.
fn password_section(
    connected: Option<&crate::upstream::ConnectedAccounts>,
    two_factor: bool,
    key_only: bool,
) -> AnyView {
    let query = use_query_map();
    match connected {
        Some(accounts) if !accounts.has_password => {
            let removed = move || query.read().get("saved").as_deref() == Some("password_removed");
            view! {
                <section class="card" aria-labelledby="password-title">
                    <h2 id="password-title">"Password"</h2>
                    <p role="status">
                        {move || removed().then_some("Your password was removed. Your other browsers were signed out.")}
                    </p>
                    <p>
                        "Your account has no password: you sign in with a connected account or a passkey. To set one, use “Forgot password?” on the login page."
                    </p>
                </section>
            }
            .into_any()
        }
        Some(accounts) if accounts.can_remove_password => view! {
            <PasswordSection two_factor key_only>
                <RemovePasswordPanel two_factor key_only />
            </PasswordSection>
        }
        .into_any(),
        _ => view! { <PasswordSection two_factor key_only /> }.into_any(),
    }
}
