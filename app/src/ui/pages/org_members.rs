//! The organization page, Members tab.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::org_membership::{InviteForm, LeaveOrgForm, PendingInvitations};
use super::signed_in_user;
use crate::api::orgs::{
    load_org, org_invitations, AddMember, CancelInvitation, ChangeRole, LeaveOrg, RemoveMember, ResetMemberTwoFactor,
};
use crate::api::twofactor::FinishEnrollment;
use crate::error::AppError;
use crate::model::{format_date, Member, OrgPage, PendingInvitation, Role};
use crate::ui::auth::Auth;
use crate::ui::components::forms::{last_error, FormError, SubmitButton};
use crate::ui::components::two_factor::EnrollButton;

#[derive(Clone, Copy)]
struct MemberActions {
    add: ServerAction<AddMember>,
    change: ServerAction<ChangeRole>,
    remove: ServerAction<RemoveMember>,
    reset: ServerAction<ResetMemberTwoFactor>,
}

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
    // Enrolling from a "2FA required" page or banner reloads the page: the user continues where they were going.
    let finish = ServerAction::<FinishEnrollment>::new();
    let page = Resource::new(
        move || {
            let versions = (
                actions.add.version().get(),
                actions.change.version().get(),
                actions.remove.version().get(),
                actions.reset.version().get(),
            );
            (slug(), versions, finish.version().get())
        },
        |(slug, ..)| load_org(slug),
    );
    // Owners and admins only; for anyone else it fails and the list stays empty.
    let cancel = ServerAction::<CancelInvitation>::new();
    let invitations = Resource::new(
        move || (slug(), actions.add.version().get(), cancel.version().get()),
        |(slug, ..)| org_invitations(slug),
    );
    // A member removed or a role changed may change the switcher's list.
    Effect::new(move |_| {
        if actions.remove.version().get() > 0 || actions.change.version().get() > 0 {
            auth.refetch_orgs();
        }
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
                match page.await {
                    Ok(page) => {
                        let invitations = invitations.await.unwrap_or_default();
                        let membership = Membership {
                            invitations,
                            cancel,
                            leave: auth.leave_org,
                        };
                        view! { <OrgView page actions my_id=user.id account=user.email finish membership /> }.into_any()
                    }
                    Err(e) => view! { <OrgError error=e account=user.email finish /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn OrgError(error: AppError, account: String, finish: ServerAction<FinishEnrollment>) -> impl IntoView {
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
                <EnrollButton account finish />
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
    finish: ServerAction<FinishEnrollment>,
    membership: Membership,
) -> impl IntoView {
    let OrgPage { org, members, two_factor_due } = page;
    let manage = org.my_role.can_manage();
    let slug = org.slug.clone();
    let row_error = Signal::derive(move || {
        last_error(actions.change)
            .get()
            .or_else(|| last_error(actions.remove).get())
            .or_else(|| last_error(actions.reset).get())
    });
    let my_role = org.my_role;
    let query = use_query_map();
    let filter = move || TwoFactorFilter::from_query(query.read().get("filter"));
    let total = members.len();
    let protected = members.iter().filter(|m| m.two_factor == Some(true)).count();
    let members = StoredValue::new(members);
    let filter_link = {
        let slug = slug.clone();
        move |value: TwoFactorFilter, label: &'static str, param: &'static str| {
            let href = if param.is_empty() { format!("/orgs/{slug}") } else { format!("/orgs/{slug}?filter={param}") };
            view! {
                <a href=href aria-current=move || (filter() == value).then_some("true")>
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
                            <EnrollButton account=account.clone() finish />
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
                view! { <p class="summary">{format!("{total} member{}", if total == 1 { "" } else { "s" })}</p> }
                    .into_any()
            }}
            <FormError error=row_error />
            <div class="table-wrap">
                <table class="members">
                    <caption class="visually-hidden">"Members of " {org.name.clone()}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            {manage.then(|| view! { <th scope="col">"Email"</th> })}
                            <th scope="col">"Role"</th>
                            {manage.then(|| view! { <th scope="col">"2FA"</th> })}
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
                                    let resettable = m.two_factor == Some(true) && m.user_id != my_id
                                        && crate::policy::offers_reset(my_role, m.role);
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
                            can_invite_owner=org.my_role == Role::Owner
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

#[component]
fn MemberRow(
    member: Member,
    slug: String,
    manage: bool,
    my_role: Role,
    resettable: bool,
    actions: MemberActions,
) -> impl IntoView {
    use crate::policy;
    let Member { user_id, name, email, role, two_factor } = member;
    // The same rules the server applies: offer only what it would allow.
    let grantable: Vec<Role> =
        Role::ALL.into_iter().filter(|r| policy::may_change_role(my_role, role, *r).is_ok()).collect();
    let editable = manage && grantable.len() > 1;
    let removable = policy::may_remove(my_role, role).is_ok();
    let label = name.clone();
    let remove_label = format!("Remove {name}");
    let remove_slug = slug.clone();
    let reset_slug = slug.clone();
    let reset_label = format!("Reset 2FA of {name}");
    view! {
        <tr>
            <td data-label="Name">{name}</td>
            {email.map(|email| view! { <td data-label="Email">{email}</td> })}
            <td data-label="Role">
                {if editable {
                    view! {
                        <ActionForm action=actions.change attr:class="inline-form">
                            <input type="hidden" name="slug" value=slug.clone() />
                            <input type="hidden" name="user_id" value=user_id />
                            <label class="visually-hidden" for=format!("role-{user_id}")>
                                {format!("Role of {label}")}
                            </label>
                            <select id=format!("role-{user_id}") name="role">
                                {grantable
                                    .into_iter()
                                    .map(|r| {
                                        view! {
                                            <option value=r.as_str() selected=r == role>
                                                {r.label()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                            <SubmitButton
                                label="Change"
                                pending_label="Saving…"
                                pending=actions.change.pending()
                                class="button small"
                            />
                        </ActionForm>
                    }
                        .into_any()
                } else {
                    view! { <span class="badge">{role.label()}</span> }.into_any()
                }}
            </td>
            {two_factor
                .map(|on| {
                    view! {
                        <td data-label="2FA">
                            <span class=if on {
                                "badge on"
                            } else {
                                "badge off"
                            }>{if on { "Enabled" } else { "Disabled" }}</span>
                        </td>
                    }
                })}
            {manage
                .then(|| {
                    view! {
                        <td class="row-actions">
                            {removable
                                .then(|| {
                                    view! {
                                        <ActionForm action=actions.remove attr:class="inline-form">
                                            <input type="hidden" name="slug" value=remove_slug.clone() />
                                            <input type="hidden" name="user_id" value=user_id />
                                            <button
                                                type="submit"
                                                class="button small danger"
                                                aria-label=remove_label.clone()
                                                disabled=move || actions.remove.pending().get()
                                            >
                                                "Remove"
                                            </button>
                                        </ActionForm>
                                    }
                                })}
                            {resettable
                                .then(|| {
                                    view! {
                                        <details class="panel inline-panel">
                                            <summary class="button small" aria-label=reset_label.clone()>
                                                "Reset 2FA"
                                            </summary>
                                            <ActionForm action=actions.reset attr:class="inline-form">
                                                <input type="hidden" name="slug" value=reset_slug.clone() />
                                                <input type="hidden" name="user_id" value=user_id />
                                                <label class="visually-hidden" for=format!("reset-password-{user_id}")>
                                                    "Your password"
                                                </label>
                                                <input
                                                    id=format!("reset-password-{user_id}")
                                                    type="password"
                                                    name="password"
                                                    placeholder="Your password"
                                                    autocomplete="current-password"
                                                    required=true
                                                />
                                                <label class="visually-hidden" for=format!("reset-code-{user_id}")>
                                                    "Your authentication code"
                                                </label>
                                                <input
                                                    id=format!("reset-code-{user_id}")
                                                    type="text"
                                                    name="code"
                                                    placeholder="Your 6-digit code"
                                                    inputmode="numeric"
                                                    autocomplete="one-time-code"
                                                    required=true
                                                />
                                                <SubmitButton
                                                    label="Reset"
                                                    pending_label="Resetting…"
                                                    pending=actions.reset.pending()
                                                    class="button small danger"
                                                />
                                            </ActionForm>
                                        </details>
                                    }
                                })}
                        </td>
                    }
                })}
        </tr>
    }
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
                        <a href=format!("/orgs/{slug}/settings") aria-current=here("settings")>
                            "Settings"
                        </a>
                    }
                })}
        </nav>
    }
}
