//! The organization page, Members tab.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::member_row::{offers_reset_to, MemberActions, MemberRow};
use super::org_membership::{InviteForm, LeaveOrgForm, PendingInvitations};
use super::signed_in_user;
use crate::error::AppError;
use crate::model::{format_date, Member, OrgPage, PendingInvitation};
use crate::policy::{self, ManagerTask};
use crate::server_fns::orgs::{load_org, org_invitations, CancelInvitation, LeaveOrg};
use crate::ui::auth::Auth;
use crate::ui::components::forms::{last_error, FormError};
use crate::ui::components::two_factor::EnrollButton;

#[component]
pub fn OrgMembersPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let actions = MemberActions {
        add: ServerAction::new(),
        change: ServerAction::new(),
        remove: ServerAction::new(),
        reset: ServerAction::new(),
    };
    let auth = expect_context::<Auth>();
    let page = Resource::new(
        move || {
            let versions = (
                actions.add.version().get(),
                actions.change.version().get(),
                actions.remove.version().get(),
                actions.reset.version().get(),
            );
            (slug(), versions)
        },
        |(slug, ..)| load_org(slug),
    );
    // Owners and admins only; for anyone else it fails and the list stays empty.
    let cancel = ServerAction::<CancelInvitation>::new();
    let invitations = Resource::new(
        move || (slug(), actions.add.version().get(), cancel.version().get()),
        |(slug, ..)| org_invitations(slug),
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
                match page.await {
                    Ok(page) => {
                        let invitations = invitations.await.unwrap_or_default();
                        let membership = Membership {
                            invitations,
                            cancel,
                            leave: ServerAction::new(),
                        };
                        view! { <OrgView page actions my_id=user.id account=user.email membership /> }.into_any()
                    }
                    Err(e) => view! { <OrgError error=e account=user.email /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn OrgError(error: AppError, account: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.status()) {
            res.set_status(status);
        }
    }
    if let AppError::TwoFactorRequired { org, .. } = &error {
        return view! {
            <Title text="Two-factor authentication required" />
            <section class="card narrow">
                <h1>"Two-factor authentication required"</h1>
                <p role="alert">
                    {format!(
                        "{org} requires two-factor authentication. Set it up to continue; your other organizations and your account are not affected.",
                    )}
                </p>
                <EnrollButton account />
            </section>
        }
        .into_any();
    }
    let title = if matches!(error, AppError::Forbidden { .. }) { "Not allowed" } else { "Organization unavailable" };
    view! {
        <Title text=title />
        <section class="card narrow">
            <h1>{title}</h1>
            <p role="alert">{error.to_string()}</p>
            <a class="button" href="/">
                "Back to your organizations"
            </a>
        </section>
    }
    .into_any()
}

/// The Members tab's 2FA filter, from `?filter=` so it works as plain links.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TwoFactorFilter {
    All,
    Enabled,
    Disabled,
}

impl TwoFactorFilter {
    fn from_query(value: Option<String>) -> Self {
        match value.as_deref() {
            Some("enabled") => Self::Enabled,
            Some("disabled") => Self::Disabled,
            _ => Self::All,
        }
    }
    fn keeps(self, member: &Member) -> bool {
        match self {
            Self::All => true,
            Self::Enabled => member.two_factor == Some(true),
            Self::Disabled => member.two_factor == Some(false),
        }
    }
}

/// The filter link's target: the Members tab itself for "All".
fn filter_href(slug: &str, param: &str) -> String {
    if param.is_empty() {
        format!("/orgs/{slug}")
    } else {
        format!("/orgs/{slug}?filter={param}")
    }
}

/// "1 member", "3 members".
fn member_count(total: usize) -> String {
    format!("{total} member{}", if total == 1 { "" } else { "s" })
}

/// Invitations and leaving: see `org_membership`.
#[derive(Clone)]
struct Membership {
    invitations: Vec<PendingInvitation>,
    cancel: ServerAction<CancelInvitation>,
    leave: ServerAction<LeaveOrg>,
}

#[component]
fn OrgView(
    page: OrgPage,
    actions: MemberActions,
    my_id: i64,
    account: String,
    membership: Membership,
) -> impl IntoView {
    let OrgPage { org, members, two_factor_due } = page;
    let manage = policy::may_manage(org.my_role, ManagerTask::ManageMembers).is_ok();
    let slug = org.slug.clone();
    let row_error = Signal::derive(move || {
        last_error(actions.change)
            .get()
            .or_else(|| last_error(actions.remove).get())
            .or_else(|| last_error(actions.reset).get())
    });
    let my_role = org.my_role;
    let query = use_query_map();
    // Only managers see 2FA status, so only their list filters on it.
    let filter =
        move || if manage { TwoFactorFilter::from_query(query.read().get("filter")) } else { TwoFactorFilter::All };
    let total = members.len();
    let protected = members.iter().filter(|m| m.two_factor == Some(true)).count();
    let members = StoredValue::new(members);
    let filter_link = {
        let slug = slug.clone();
        move |value: TwoFactorFilter, label: &'static str, param: &'static str| {
            view! {
                <a href=filter_href(&slug, param) aria-current=move || (filter() == value).then_some("true")>
                    {label}
                </a>
            }
        }
    };
    view! {
        <Title text=org.name.clone() />
        <section class="card wide">
            <header class="org-header">
                <h1>{org.name.clone()}</h1>
                <span class="badge">{format!("You are {}", org.my_role.label().to_lowercase())}</span>
            </header>
            <OrgTabs slug=org.slug.clone() manage current="members" />
            {two_factor_due
                .map(|due| {
                    view! {
                        <div class="notice" role="status">
                            <p>{format!("{} requires two-factor authentication by {}.", org.name, format_date(due))}</p>
                            <EnrollButton account=account.clone() />
                        </div>
                    }
                })}
            {if manage {
                view! {
                    <div class="members-toolbar">
                        <p class="summary">
                            {format!("{protected} of {total} members have two-factor authentication enabled")}
                        </p>
                        <nav class="filter" aria-label="Filter by two-factor authentication">
                            {filter_link(TwoFactorFilter::All, "All", "")}
                            {filter_link(TwoFactorFilter::Enabled, "Enabled", "enabled")}
                            {filter_link(TwoFactorFilter::Disabled, "Disabled", "disabled")}
                        </nav>
                        <a
                            class="button small"
                            href=format!("/orgs/{}/members.csv", org.slug)
                            download=format!("{}-members.csv", org.slug)
                            rel="external"
                        >
                            "Export CSV"
                        </a>
                    </div>
                }
                    .into_any()
            } else {
                view! { <p class="summary">{member_count(total)}</p> }.into_any()
            }}
            <FormError error=row_error />
            <div class="table-wrap" tabindex="0" role="group" aria-label=format!("Members of {}", org.name)>
                <table class="members">
                    <caption class="visually-hidden">"Members of " {org.name.clone()}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            {manage.then(|| view! { <th scope="col">"Email"</th> })}
                            <th scope="col">"Role"</th>
                            {manage.then(|| view! { <th scope="col">"2FA"</th> })}
                            {manage.then(|| view! { <th scope="col">"API tokens"</th> })}
                            {manage
                                .then(|| {
                                    view! {
                                        <th scope="col">
                                            <span class="visually-hidden">"Actions"</span>
                                        </th>
                                    }
                                })}
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            let slug = slug.clone();
                            members
                                .get_value()
                                .into_iter()
                                .filter(|m| filter().keeps(m))
                                .map(|m| {
                                    let resettable = offers_reset_to(&m, my_id, my_role);
                                    view! { <MemberRow member=m slug=slug.clone() manage my_role resettable actions /> }
                                })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </div>
            {manage
                .then(|| {
                    view! {
                        <InviteForm
                            slug=org.slug.clone()
                            roles=policy::grantable_roles(org.my_role)
                            action=actions.add
                        />
                        <PendingInvitations
                            slug=org.slug.clone()
                            invitations=membership.invitations
                            my_role
                            cancel=membership.cancel
                        />
                    }
                })}
            <LeaveOrgForm slug=org.slug.clone() org_name=org.name.clone() action=membership.leave />
        </section>
    }
    // Erasing the type keeps the nesting within the compiler's limits.
    .into_any()
}

/// The organization page's tabs; Settings only for owners and admins.
#[component]
pub fn OrgTabs(slug: String, manage: bool, current: &'static str) -> impl IntoView {
    let here = move |tab: &str| (tab == current).then_some("page");
    view! {
        <nav class="tabs" aria-label="Organization sections">
            <a href=format!("/orgs/{slug}") aria-current=here("members")>
                "Members"
            </a>
            {manage
                .then(|| {
                    view! {
                        <a href=format!("/orgs/{slug}/applications") aria-current=here("applications")>
                            "Applications"
                        </a>
                        <a href=format!("/orgs/{slug}/settings") aria-current=here("settings")>
                            "Settings"
                        </a>
                    }
                })}
        </nav>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_member_count_is_singular_for_one_member_only() {
        assert_eq!(member_count(1), "1 member");
        assert_eq!(member_count(0), "0 members");
        assert_eq!(member_count(3), "3 members");
    }

    #[test]
    fn the_all_filter_links_to_the_tab_without_a_query() {
        assert_eq!(filter_href("acme", ""), "/orgs/acme");
        assert_eq!(filter_href("acme", "enabled"), "/orgs/acme?filter=enabled");
    }
}
