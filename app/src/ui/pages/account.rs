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
use crate::ui::auth::Auth;
use crate::ui::components::account_settings::{EmailSection, PasswordSection, SessionsSection};
use crate::ui::components::api_tokens::{ApplicationPasswords, PersonalAccessTokens};
use crate::ui::components::applications::AllowedApplications;
use crate::ui::components::forms::LoadError;
use crate::ui::components::log_table::LogTable;
use crate::ui::components::remembered_browsers::RememberedBrowsersSection;
use crate::ui::components::security_keys::SecurityKeysSection;
use crate::ui::components::two_factor::TwoFactorSection;

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
                        <PasswordSection two_factor=two_factor_on key_only />
                        {match status {
                            Ok(status) => view! { <TwoFactorSection account=user.email.clone() status /> }.into_any(),
                            Err(e) => view! { <LoadError error=e /> }.into_any(),
                        }}
                        <SecurityKeysSection keys />
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
