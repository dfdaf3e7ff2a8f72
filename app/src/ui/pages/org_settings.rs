//! The organization page, Settings tab, as the seeds lay it out: a left
//! navigation with "Authentication" (the 2FA requirement, allowed factors,
//! remembered browsers) and "General" (API access, verified emails, the audit log).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::org_access_switches::{RememberedBrowsersSection, UpstreamMfaSection, VerifiedEmailsSection};
use super::org_api_access::ApiAccessSection;
use super::org_members::{OrgError, OrgTabs};
use super::org_requirement::RequirementSection;
use super::signed_in_user;
use crate::model::Role;
use crate::server_fns::orgs::{
    audit_log, load_org_settings, SetRememberedBrowsers, SetTwoFactorRequirement, SetUpstreamMfaRequirement,
    SetVerifiedEmailsRequirement,
};
use crate::server_fns::tokens::SetApiAccess;
use crate::ui::auth::Auth;
use crate::ui::components::log_table::LogTable;
use crate::ui::components::security_keys::AllowedFactorsSection;

/// Which part of the Settings tab the URL shows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SettingsSection {
    Authentication,
    General,
}

impl SettingsSection {
    fn href(self, slug: &str) -> String {
        match self {
            SettingsSection::Authentication => format!("/orgs/{slug}/settings"),
            SettingsSection::General => format!("/orgs/{slug}/settings/general"),
        }
    }
    fn label(self) -> &'static str {
        match self {
            SettingsSection::Authentication => "Authentication",
            SettingsSection::General => "General",
        }
    }
}

#[component]
pub fn OrgSettingsPage(section: SettingsSection) -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let auth = expect_context::<Auth>();
    let save = ServerAction::<SetTwoFactorRequirement>::new();
    let api_access = ServerAction::<SetApiAccess>::new();
    let remembered = ServerAction::<SetRememberedBrowsers>::new();
    let verified = ServerAction::<SetVerifiedEmailsRequirement>::new();
    let upstream_mfa = ServerAction::<SetUpstreamMfaRequirement>::new();
    let settings = Resource::new(
        move || {
            (
                slug(),
                save.version().get(),
                api_access.version().get(),
                remembered.version().get(),
                verified.version().get(),
                upstream_mfa.version().get(),
            )
        },
        |(slug, ..)| load_org_settings(slug),
    );
    let query = use_query_map();
    // Only the General section shows the audit log.
    let audit = (section == SettingsSection::General).then(|| {
        Resource::new(
            move || (slug(), query.read().get("page").and_then(|p| p.parse::<i64>().ok()).unwrap_or(0)),
            |(slug, page)| audit_log(slug, page),
        )
    });
    view! {
        <Transition fallback=|| {
            view! { <p class="loading">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let user = match signed_in_user(auth).await {
                    Ok(user) => user,
                    Err(view) => return view,
                };
                let audit = match audit {
                    Some(audit) => audit.await.ok(),
                    None => None,
                };
                let settings = match settings.await {
                    Ok(settings) => settings,
                    Err(e) => return view! { <OrgError error=e account=user.email /> }.into_any(),
                };
                let slug = settings.org.slug.clone();
                let name = settings.org.name.clone();
                let owner = settings.org.my_role == Role::Owner;
                let body = match section {
                    SettingsSection::Authentication => {
                        let factors = settings.allowed_factors;
                        let remembering = settings.allow_remembered_browsers;
                        let upstream = settings.require_upstream_mfa;
                        let sms_offered = settings.sms_offered;
                        view! {
                            <RequirementSection settings save />
                            <AllowedFactorsSection slug=slug.clone() allowed=factors sms_offered />
                            <RememberedBrowsersSection slug=slug.clone() owner allowed=remembering action=remembered />
                            <UpstreamMfaSection slug=slug.clone() owner required=upstream action=upstream_mfa />
                        }
                            .into_any()
                    }
                    SettingsSection::General => {
                        let allowed = settings.allow_api_tokens;
                        let required = settings.require_verified_emails;
                        view! {
                            <ApiAccessSection slug=slug.clone() owner allowed action=api_access />
                            <VerifiedEmailsSection slug=slug.clone() owner required action=verified />
                            {audit
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
                };
                view! {
                    <Title text=format!("{name} settings: {}", section.label()) />
                    <section class="card wide">
                        <header class="org-header">
                            <h1>{name}</h1>
                        </header>
                        <OrgTabs slug=slug.clone() manage=true current="settings" />
                        <div class="settings-layout">
                            <SettingsNav slug section />
                            <div class="settings-body">{body}</div>
                        </div>
                    </section>
                }
                    .into_any()
            })}
        </Transition>
    }
}

/// The left navigation of the Settings tab.
#[component]
fn SettingsNav(slug: String, section: SettingsSection) -> impl IntoView {
    let link = |s: SettingsSection| {
        view! {
            <a href=s.href(&slug) aria-current=(s == section).then_some("page")>
                {s.label()}
            </a>
        }
    };
    view! {
        <nav class="settings-nav" aria-label="Settings">
            {link(SettingsSection::Authentication)}
            {link(SettingsSection::General)}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::SettingsSection;

    #[test]
    fn each_settings_section_has_its_own_address() {
        assert_eq!(SettingsSection::Authentication.href("acme"), "/orgs/acme/settings");
        assert_eq!(SettingsSection::General.href("acme"), "/orgs/acme/settings/general");
    }
}
