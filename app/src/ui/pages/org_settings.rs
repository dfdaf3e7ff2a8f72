//! The organization page, Settings tab: "Require two-factor authentication".

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::org_access_switches::{RememberedBrowsersSection, VerifiedEmailsSection};
use super::org_api_access::ApiAccessSection;
use super::org_members::{OrgError, OrgTabs};
use super::signed_in_user;
use crate::model::{format_date, OrgSettings, Role, GRACE_DAYS};
use crate::server_fns::orgs::{
    audit_log, load_org_settings, SetRememberedBrowsers, SetTwoFactorRequirement, SetVerifiedEmailsRequirement,
};
use crate::server_fns::tokens::SetApiAccess;
use crate::ui::auth::Auth;
use crate::ui::components::forms::{last_error, Field, FormError, SubmitButton};
use crate::ui::components::log_table::LogTable;
use crate::ui::components::security_keys::AllowedFactorsSection;

#[component]
pub fn OrgSettingsPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let auth = expect_context::<Auth>();
    let save = ServerAction::<SetTwoFactorRequirement>::new();
    let api_access = ServerAction::<SetApiAccess>::new();
    let remembered = ServerAction::<SetRememberedBrowsers>::new();
    let verified = ServerAction::<SetVerifiedEmailsRequirement>::new();
    let settings = Resource::new(
        move || {
            (
                slug(),
                save.version().get(),
                api_access.version().get(),
                remembered.version().get(),
                verified.version().get(),
            )
        },
        |(slug, ..)| load_org_settings(slug),
    );
    let query = use_query_map();
    let audit = Resource::new(
        move || {
            (slug(), query.read().get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(0), save.version().get())
        },
        |(slug, page, _)| audit_log(slug, page),
    );
    view! {
        <Transition fallback=|| {
            view! { <p class="loading">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let user = match signed_in_user(auth).await {
                    Ok(user) => user,
                    Err(view) => return view,
                };
                let audit = audit.await;
                match settings.await {
                    Ok(settings) => {
                        let slug = settings.org.slug.clone();
                        let owner = settings.org.my_role == Role::Owner;
                        let allowed = settings.allow_api_tokens;
                        let factors = settings.allowed_factors;
                        let remembering = settings.allow_remembered_browsers;
                        let required = settings.require_verified_emails;
                        view! {
                            <SettingsView settings save />
                            <AllowedFactorsSection slug=slug.clone() allowed=factors />
                            <ApiAccessSection slug=slug.clone() owner allowed action=api_access />
                            <RememberedBrowsersSection slug=slug.clone() owner allowed=remembering action=remembered />
                            <VerifiedEmailsSection slug owner required action=verified />
                            {audit
                                .ok()
                                .map(|page| {
                                    view! {
                                        <section class="card wide" aria-labelledby="audit-title">
                                            <h2 id="audit-title">"Audit log"</h2>
                                            <LogTable page caption="Audit log" param="page" audit=true />
                                        </section>
                                    }
                                })}
                        }
                            .into_any()
                    }
                    Err(e) => view! { <OrgError error=e account=user.email /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn grace_label(days: i64) -> String {
    match days {
        0 => "None (immediately)".to_string(),
        1 => "1 day".to_string(),
        d => format!("{d} days"),
    }
}

#[component]
fn SettingsView(settings: OrgSettings, save: ServerAction<SetTwoFactorRequirement>) -> impl IntoView {
    let OrgSettings { org, require_two_factor, grace_days, .. } = settings;
    let error = last_error(save);
    // After a plain form post the page comes back with `?saved=two-factor`.
    let query = use_query_map();
    let saved = move || {
        matches!(save.value().get(), Some(Ok(()))) || query.read().get("saved").as_deref() == Some("two-factor")
    };
    view! {
        <Title text=format!("{} settings", org.name) />
        <section class="card wide">
            <header class="org-header">
                <h1>{org.name.clone()}</h1>
            </header>
            <OrgTabs slug=org.slug.clone() manage=true current="settings" />
            <section aria-labelledby="auth-title">
                <h2 id="auth-title">"Authentication"</h2>
                <h3>"Require two-factor authentication"</h3>
                <p class="muted">
                    "Members without two-factor authentication cannot open this organization until they set it up. Every owner, and you, need it first."
                </p>
                {org
                    .two_factor_deadline
                    .map(|d| {
                        view! {
                            <p class="status-on">
                                {format!("Required: members without it are refused from {}.", format_date(d))}
                            </p>
                        }
                    })}
                <ActionForm action=save>
                    <input type="hidden" name="slug" value=org.slug.clone() />
                    <FormError error />
                    <div class="field checkbox">
                        <input
                            id="require"
                            type="checkbox"
                            role="switch"
                            name="require"
                            value="true"
                            checked=require_two_factor
                        />
                        <label for="require">"Enable for all users in organization"</label>
                    </div>
                    <div class="field">
                        <label for="grace">"Grace period"</label>
                        <select id="grace" name="grace_days">
                            {GRACE_DAYS
                                .into_iter()
                                .map(|d| {
                                    view! {
                                        <option value=d selected=d == grace_days>
                                            {grace_label(d)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    {match org.my_role {
                        Role::Owner => {
                            view! {
                                <fieldset class="reauth">
                                    <legend>"Confirm it is you"</legend>
                                    <p class="muted">
                                        "Needed to switch the requirement off or change its grace period once it is on; switching it on needs neither."
                                    </p>
                                    <Field
                                        label="Your password"
                                        name="password"
                                        kind="password"
                                        autocomplete="current-password"
                                        required=false
                                        error
                                    />
                                    <Field
                                        label="Authentication code"
                                        name="code"
                                        autocomplete="one-time-code"
                                        required=false
                                        hint="The 6-digit code your authenticator app shows now."
                                        error
                                    />
                                </fieldset>
                            }
                                .into_any()
                        }
                        _ => {
                            view! {
                                <p class="muted">
                                    "Only owners can switch the requirement off or change its grace period once it is on."
                                </p>
                            }
                                .into_any()
                        }
                    }}
                    <SubmitButton label="Save" pending_label="Saving…" />
                    <p class="success" role="status">
                        {move || saved().then_some("Saved.")}
                    </p>
                </ActionForm>
            </section>
        </section>
    }
}
