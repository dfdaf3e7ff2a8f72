//! One row of the Members tab: role, 2FA, remove and reset, each offered only when the rules
//! in `policy` allow it (the server checks again).

use leptos::prelude::*;

use crate::model::{Member, Role};
use crate::policy;
use crate::server_fns::orgs::{AddMember, ChangeRole, RemoveMember, ResetMemberTwoFactor};
use crate::ui::components::forms::{InlineReauth, SubmitButton};

/// The Members tab's actions: the page refetches after each, its rows dispatch them.
#[derive(Clone, Copy)]
pub(super) struct MemberActions {
    pub add: ServerAction<AddMember>,
    pub change: ServerAction<ChangeRole>,
    pub remove: ServerAction<RemoveMember>,
    pub reset: ServerAction<ResetMemberTwoFactor>,
}

/// Whether a row offers "Reset 2FA": only of someone else, who has 2FA on, and whose role the
/// viewer's role may reset (`policy::offers_reset`; the server checks the rest).
pub(super) fn offers_reset_to(member: &Member, my_id: i64, my_role: Role) -> bool {
    member.two_factor == Some(true) && member.user_id != my_id && policy::offers_reset(my_role, member.role)
}

/// The 2FA column's badge: its class and its words. `allowed`: the member's
/// factor is of a kind the organization allows (it counts for its requirement).
fn two_factor_badge(on: bool, allowed: bool) -> (&'static str, &'static str) {
    match (on, allowed) {
        (true, true) => ("badge on", "Enabled"),
        (true, false) => ("badge off", "Enabled, not an allowed kind"),
        (false, _) => ("badge off", "Disabled"),
    }
}

/// "Signs in with Acme SSO" for a member without a password.
fn signs_in_with_text(providers: &[String]) -> String {
    match providers {
        [] => "Signs in with a passkey".to_string(),
        names => format!("Signs in with {}", names.join(" or ")),
    }
}

#[component]
pub(super) fn MemberRow(
    member: Member,
    slug: String,
    manage: bool,
    my_role: Role,
    resettable: bool,
    actions: MemberActions,
) -> impl IntoView {
    let Member { user_id, name, email, role, two_factor, complies, active_tokens, signs_in_with } = member;
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
                            <SubmitButton label="Change" pending_label="Saving…" class="button small" />
                        </ActionForm>
                    }
                        .into_any()
                } else {
                    view! { <span class="badge">{role.label()}</span> }.into_any()
                }}
            </td>
            {two_factor
                .map(|on| {
                    let (class, word) = two_factor_badge(on, complies.unwrap_or(true));
                    let how = signs_in_with.as_ref().map(|providers| signs_in_with_text(providers));
                    // The Hub seed's other way: no password, only a provider or a passkey.
                    view! {
                        <td data-label="2FA">
                            <span class=class>{word}</span>
                            {how.map(|how| view! { <span class="muted block">{how}</span> })}
                        </td>
                    }
                })}
            {active_tokens.map(|n| view! { <td data-label="API tokens">{n}</td> })}
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
                                                <InlineReauth id=format!("reset-{user_id}") code_required=true />
                                                <SubmitButton
                                                    label="Reset"
                                                    pending_label="Resetting…"
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

#[cfg(test)]
mod tests {
    use super::*;

    fn member(user_id: i64, role: Role, two_factor: Option<bool>) -> Member {
        Member {
            user_id,
            name: "Ann".into(),
            email: None,
            role,
            two_factor,
            complies: None,
            signs_in_with: None,
            active_tokens: None,
        }
    }

    #[test]
    fn an_owner_is_offered_a_reset_of_another_member_with_2fa_on() {
        assert!(offers_reset_to(&member(2, Role::Admin, Some(true)), 1, Role::Owner));
    }

    #[test]
    fn nobody_is_offered_a_reset_of_their_own_2fa() {
        assert!(!offers_reset_to(&member(1, Role::Owner, Some(true)), 1, Role::Owner));
    }

    #[test]
    fn no_reset_is_offered_for_a_member_without_2fa_or_of_unknown_state() {
        assert!(!offers_reset_to(&member(2, Role::Member, Some(false)), 1, Role::Owner));
        assert!(!offers_reset_to(&member(2, Role::Member, None), 1, Role::Owner));
    }

    #[test]
    fn an_admin_is_offered_a_reset_of_plain_members_only() {
        assert!(offers_reset_to(&member(2, Role::Member, Some(true)), 1, Role::Admin));
        assert!(!offers_reset_to(&member(2, Role::Admin, Some(true)), 1, Role::Admin));
    }

    #[test]
    fn the_2fa_badge_says_enabled_or_disabled() {
        assert_eq!(two_factor_badge(true, true), ("badge on", "Enabled"));
        assert_eq!(two_factor_badge(false, true), ("badge off", "Disabled"));
        assert_eq!(two_factor_badge(true, false), ("badge off", "Enabled, not an allowed kind"));
    }
}
