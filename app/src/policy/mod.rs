//! Who may do what inside an organization, and when an account must prove
//! itself again. Pure rules, no I/O, no words: a refusal says which rule
//! refused, and `server::words` says it to a person.

mod operator;
pub mod upstream;
pub use operator::{may_create_org, may_sign_up, OrgCreation, SignUpMode, SignUpRules};

use crate::factors::Kinds;
use crate::model::{Role, User};

/// Which rule refused an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Only owners and admins do this.
    ManagersOnly(ManagerTask),
    /// Only owners grant the owner role (inviting, or cancelling such an invitation).
    OwnersOnlyGrantOwner,
    /// Only owners change the role of an admin or an owner, or make someone an owner.
    OwnersOnlyChangeManagers,
    OwnersOnlyRemoveManagers,
    LastOwnerLeaving,
    InvitationExpired,
    AdminsResetMembersOnly,
    ResetNeedsOwnTwoFactor,
    TargetManagesAnotherOrg,
    OwnersOnlyLoosenRequirement,
    /// Only owners decide whether tokens and application passwords reach the organization's data.
    OwnersOnlyApiAccess,
    /// Owners and admins may forbid remembered browsers; only owners allow them again.
    OwnersOnlyAllowRememberedBrowsers,
    /// Owners and admins may require verified addresses; only owners stop requiring them.
    OwnersOnlyStopRequiringVerifiedEmails,
    /// Owners and admins may ask providers' sign-ins for several factors; only owners stop asking.
    OwnersOnlyTrustUpstreamSignIns,
    /// These owners (and perhaps the person acting) lack 2FA, so it cannot be required yet.
    MustEnrollFirst(Vec<User>),
    /// These organizations require 2FA, so it cannot be turned off.
    RequiredBy(Vec<String>),
    /// "Allowed second factors" must keep at least one.
    NoFactorAllowed,
    /// Allowing a kind of second factor that was not allowed is for owners (admins may only tighten).
    OwnersOnlyLoosenFactors,
    /// Signing up is closed on this server (`invite_only`: except with an invitation).
    SignUpClosed {
        invite_only: bool,
    },
    /// Sign-up is limited to some email domains.
    SignUpDomain,
    /// Only the server's operators may create organizations.
    OrgCreationOperatorsOnly,
}

impl Refusal {
    /// The stable code said on the wire with the words.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::ManagersOnly(..) => "managers_only",
            Self::OwnersOnlyGrantOwner => "owners_only_grant_owner",
            Self::OwnersOnlyChangeManagers => "owners_only_change_managers",
            Self::OwnersOnlyRemoveManagers => "owners_only_remove_managers",
            Self::LastOwnerLeaving => "last_owner_leaving",
            Self::InvitationExpired => "invitation_expired",
            Self::AdminsResetMembersOnly => "admins_reset_members_only",
            Self::ResetNeedsOwnTwoFactor => "reset_needs_own_two_factor",
            Self::TargetManagesAnotherOrg => "target_manages_another_org",
            Self::OwnersOnlyLoosenRequirement => "owners_only_loosen_requirement",
            Self::OwnersOnlyApiAccess => "owners_only_api_access",
            Self::OwnersOnlyAllowRememberedBrowsers => "owners_only_allow_remembered_browsers",
            Self::OwnersOnlyStopRequiringVerifiedEmails => "owners_only_stop_requiring_verified_emails",
            Self::OwnersOnlyTrustUpstreamSignIns => "owners_only_trust_upstream_sign_ins",
            Self::MustEnrollFirst(..) => "must_enroll_first",
            Self::RequiredBy(..) => "required_by",
            Self::NoFactorAllowed => "no_factor_allowed",
            Self::OwnersOnlyLoosenFactors => "owners_only_loosen_factors",
            Self::SignUpClosed { .. } => "sign_up_closed",
            Self::SignUpDomain => "sign_up_domain",
            Self::OrgCreationOperatorsOnly => "org_creation_operators_only",
        }
    }
}

/// What only owners and admins of an organization do or see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagerTask {
    ManageMembers,
    SeeAuditLog,
    SeeSettings,
    ChangeSettings,
    SeeInvitations,
    ExportMembers,
    /// Register, disable or delete the applications that sign members in through Portcullis.
    ManageApplications,
}

/// The one rule behind the Settings tab, the audit log, invitations and the CSV export.
pub fn may_manage(actor: Role, task: ManagerTask) -> Result<(), Refusal> {
    match actor {
        Role::Owner | Role::Admin => Ok(()),
        Role::Member => Err(Refusal::ManagersOnly(task)),
    }
}

/// The roles `actor` may hand out (in an invitation or a role change of a plain member).
pub fn grantable_roles(actor: Role) -> Vec<Role> {
    Role::ALL.into_iter().filter(|role| may_invite(actor, *role).is_ok()).collect()
}

const MANAGERS_ONLY: Refusal = Refusal::ManagersOnly(ManagerTask::ManageMembers);

/// Inviting someone with a role is granting it, once they accept.
pub fn may_invite(actor: Role, new_role: Role) -> Result<(), Refusal> {
    match actor {
        Role::Owner => Ok(()),
        Role::Admin if new_role != Role::Owner => Ok(()),
        Role::Admin => Err(Refusal::OwnersOnlyGrantOwner),
        Role::Member => Err(MANAGERS_ONLY),
    }
}

/// Admins manage plain members; only owners change or remove an admin or an
/// owner, or make someone an owner. Otherwise an admin could demote another
/// admin, reset their 2FA as a "member", then promote them back.
pub fn may_change_role(actor: Role, target: Role, new_role: Role) -> Result<(), Refusal> {
    match actor {
        Role::Owner => Ok(()),
        Role::Admin if target == Role::Member && new_role != Role::Owner => Ok(()),
        Role::Admin => Err(Refusal::OwnersOnlyChangeManagers),
        Role::Member => Err(MANAGERS_ONLY),
    }
}

pub fn may_remove(actor: Role, target: Role) -> Result<(), Refusal> {
    match actor {
        Role::Owner => Ok(()),
        Role::Admin if target == Role::Member => Ok(()),
        Role::Admin => Err(Refusal::OwnersOnlyRemoveManagers),
        Role::Member => Err(MANAGERS_ONLY),
    }
}

/// Cancelling (or replacing) an invitation: as sending one with the invited
/// role, since it grants nothing yet.
pub fn may_cancel_invitation(actor: Role, invited_role: Role) -> Result<(), Refusal> {
    may_invite(actor, invited_role)
}

/// "Allow personal access tokens and application passwords for this
/// organization's data": owners only, either way, since a token outlives
/// the admin who might switch it on.
pub fn may_set_api_access(actor: Role) -> Result<(), Refusal> {
    match actor {
        Role::Owner => Ok(()),
        _ => Err(Refusal::OwnersOnlyApiAccess),
    }
}

/// A switch that tightens who gets in: owners and admins tighten it, only
/// owners loosen it (`loosening`), else `owners_only`.
fn tighten_or_loosen(actor: Role, loosening: bool, owners_only: Refusal) -> Result<(), Refusal> {
    match (actor, loosening) {
        (Role::Owner, _) | (Role::Admin, false) => Ok(()),
        (Role::Admin, true) => Err(owners_only),
        (Role::Member, _) => Err(Refusal::ManagersOnly(ManagerTask::ChangeSettings)),
    }
}

/// "Members may skip the code on browsers they remember".
pub fn may_set_remembered_browsers(actor: Role, allow: bool) -> Result<(), Refusal> {
    tighten_or_loosen(actor, allow, Refusal::OwnersOnlyAllowRememberedBrowsers)
}

/// "Require verified email addresses".
pub fn may_require_verified_emails(actor: Role, require: bool) -> Result<(), Refusal> {
    tighten_or_loosen(actor, !require, Refusal::OwnersOnlyStopRequiringVerifiedEmails)
}

/// "Require several factors from identity providers".
pub fn may_require_upstream_mfa(actor: Role, require: bool) -> Result<(), Refusal> {
    tighten_or_loosen(actor, !require, Refusal::OwnersOnlyTrustUpstreamSignIns)
}

/// Leaving an organization: anyone, except its last owner.
pub fn may_leave(role: Role, owners: i64) -> Result<(), Refusal> {
    if role == Role::Owner && owners <= 1 {
        return Err(Refusal::LastOwnerLeaving);
    }
    Ok(())
}

/// Accepting an invitation: only before it expires.
pub fn may_accept_invitation(expires_at: i64, now: i64) -> Result<(), Refusal> {
    if now >= expires_at {
        return Err(Refusal::InvitationExpired);
    }
    Ok(())
}

/// What a reset of someone else's 2FA depends on besides the two roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResetCircumstances {
    /// The person resetting has 2FA themselves (and so can re-authenticate with it).
    pub actor_has_two_factor: bool,
    /// The target is an owner or admin of another organization, whose
    /// members this organization's managers have no say over.
    pub target_manages_another_org: bool,
}

/// Resetting a member's 2FA (a lost phone): owners for anyone, admins for
/// plain members only; the actor must have 2FA; never someone who manages
/// another organization, since that would strip the protection of an
/// organization the actor has no part in.
pub fn may_reset_two_factor(actor: Role, target: Role, circumstances: ResetCircumstances) -> Result<(), Refusal> {
    match (actor, target) {
        (Role::Owner, _) | (Role::Admin, Role::Member) => {}
        (Role::Admin, _) => return Err(Refusal::AdminsResetMembersOnly),
        (Role::Member, _) => return Err(MANAGERS_ONLY),
    }
    if !circumstances.actor_has_two_factor {
        return Err(Refusal::ResetNeedsOwnTwoFactor);
    }
    if circumstances.target_manages_another_org {
        return Err(Refusal::TargetManagesAnotherOrg);
    }
    Ok(())
}

/// Whether the Members tab offers "Reset 2FA" on a row: the role rule only,
/// since the other circumstances are the server's to check.
pub fn offers_reset(actor: Role, target: Role) -> bool {
    matches!((actor, target), (Role::Owner, _) | (Role::Admin, Role::Member))
}

/// A session whose owner last gave the password longer ago than this gives
/// it again before starting a 2FA enrollment.
pub const REAUTHENTICATE_AFTER_SECS: i64 = 5 * 60;

pub fn must_reauthenticate(authenticated_at: i64, now: i64) -> bool {
    now - authenticated_at >= REAUTHENTICATE_AFTER_SECS
}

/// An organization's 2FA requirement: on or off, and the grace period in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    pub required: bool,
    pub grace_days: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequirementChange {
    /// Nothing that members feel (saving it as it is, or a grace period while off).
    Unchanged,
    /// Switching it on: members need 2FA by the end of the grace period.
    SwitchesOn,
    /// Switching it off, or a longer grace period: members without 2FA get
    /// in for longer (a later deadline can re-admit those already refused).
    Loosens,
    /// A shorter grace period: members can be shut out sooner than they were told.
    Shortens,
}

impl RequirementChange {
    /// Changes that only an owner may make, after re-authenticating.
    pub fn needs_owner(self) -> bool {
        matches!(self, Self::Loosens | Self::Shortens)
    }
}

pub fn requirement_change(from: Requirement, to: Requirement) -> RequirementChange {
    use std::cmp::Ordering::*;
    match (from.required, to.required) {
        (false, false) => RequirementChange::Unchanged,
        (false, true) => RequirementChange::SwitchesOn,
        (true, false) => RequirementChange::Loosens,
        (true, true) => match to.grace_days.cmp(&from.grace_days) {
            Equal => RequirementChange::Unchanged,
            Less => RequirementChange::Shortens,
            Greater => RequirementChange::Loosens,
        },
    }
}

/// Owners and admins may switch the requirement on; once it is on, only
/// owners may switch it off or move its deadline either way (and they
/// re-authenticate to do so, see `set_two_factor_requirement`).
pub fn may_change_requirement(actor: Role, from: Requirement, to: Requirement) -> Result<RequirementChange, Refusal> {
    let change = requirement_change(from, to);
    match actor {
        Role::Member => Err(Refusal::ManagersOnly(ManagerTask::ChangeSettings)),
        Role::Admin if change.needs_owner() => Err(Refusal::OwnersOnlyLoosenRequirement),
        _ => Ok(change),
    }
}

/// Requiring 2FA needs every owner, and the person acting, to have it
/// already; otherwise it names who lacks it, the person acting first.
pub fn may_require_two_factor(
    actor: &User,
    actor_has_two_factor: bool,
    owners_without: Vec<User>,
) -> Result<(), Refusal> {
    let mut missing = owners_without;
    if !actor_has_two_factor && !missing.iter().any(|owner| owner.id == actor.id) {
        missing.insert(0, actor.clone());
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Refusal::MustEnrollFirst(missing))
    }
}

/// 2FA stays on while any organization of the user requires it.
pub fn may_disable_two_factor(requiring_orgs: Vec<String>) -> Result<(), Refusal> {
    if requiring_orgs.is_empty() {
        Ok(())
    } else {
        Err(Refusal::RequiredBy(requiring_orgs))
    }
}

/// Removing one second factor (a security key): refused when it is the
/// account's last and an organization of the user requires 2FA, as turning
/// 2FA off is.
pub fn may_remove_second_factor(factors_left_after: i64, requiring_orgs: Vec<String>) -> Result<(), Refusal> {
    if factors_left_after > 0 {
        Ok(())
    } else {
        may_disable_two_factor(requiring_orgs)
    }
}

/// What a change of "Allowed second factors" is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactorsChange {
    /// Allows no kind that was not allowed: owners and admins.
    Tighten,
    /// Allows a kind that was not (a weaker rule): owners, with their password and a code.
    Loosen,
}

/// At least one kind of second factor stays allowed; allowing another kind
/// is for owners, as switching the requirement off is.
pub fn may_change_allowed_factors(actor: Role, from: Kinds, to: Kinds) -> Result<FactorsChange, Refusal> {
    may_manage(actor, ManagerTask::ChangeSettings)?;
    if to.is_empty() {
        return Err(Refusal::NoFactorAllowed);
    }
    match (to.adds_to(from), actor) {
        (false, _) => Ok(FactorsChange::Tighten),
        (true, Role::Owner) => Ok(FactorsChange::Loosen),
        (true, _) => Err(Refusal::OwnersOnlyLoosenFactors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::factors::Kind;
    use Role::*;

    const OFF: Requirement = Requirement { required: false, grace_days: 0 };
    fn on(grace_days: i64) -> Requirement {
        Requirement { required: true, grace_days }
    }

    #[test]
    fn only_owners_decide_whether_tokens_reach_the_organizations_data() {
        assert_eq!(may_set_api_access(Owner), Ok(()));
        assert_eq!(may_set_api_access(Admin), Err(Refusal::OwnersOnlyApiAccess));
        assert_eq!(may_set_api_access(Member), Err(Refusal::OwnersOnlyApiAccess));
    }

    #[test]
    fn admins_may_require_verified_addresses_but_only_owners_stop_requiring_them() {
        assert_eq!(may_require_verified_emails(Admin, true), Ok(()));
        assert_eq!(may_require_verified_emails(Admin, false), Err(Refusal::OwnersOnlyStopRequiringVerifiedEmails));
        assert_eq!(may_require_verified_emails(Owner, false), Ok(()));
        assert_eq!(may_require_upstream_mfa(Admin, true), Ok(()));
        assert_eq!(may_require_upstream_mfa(Admin, false), Err(Refusal::OwnersOnlyTrustUpstreamSignIns));
        assert_eq!(may_require_upstream_mfa(Owner, false), Ok(()));
        assert!(may_require_upstream_mfa(Member, true).is_err());
        assert!(may_require_verified_emails(Member, true).is_err());
    }

    #[test]
    fn admins_may_forbid_remembered_browsers_but_only_owners_allow_them_again() {
        assert_eq!(may_set_remembered_browsers(Owner, true), Ok(()));
        assert_eq!(may_set_remembered_browsers(Admin, false), Ok(()));
        assert_eq!(may_set_remembered_browsers(Admin, true), Err(Refusal::OwnersOnlyAllowRememberedBrowsers));
        assert!(may_set_remembered_browsers(Member, false).is_err());
    }

    #[test]
    fn a_session_authenticated_within_five_minutes_needs_no_password_again() {
        assert!(!must_reauthenticate(1000, 1000));
        assert!(!must_reauthenticate(1000, 1000 + 299));
        assert!(must_reauthenticate(1000, 1000 + 300));
        assert!(must_reauthenticate(0, 1_800_000_000));
    }

    #[test]
    fn admins_may_switch_the_requirement_on_with_any_grace_period() {
        for grace in [0, 1, 30] {
            assert_eq!(may_change_requirement(Admin, OFF, on(grace)), Ok(RequirementChange::SwitchesOn));
        }
    }

    #[test]
    fn admins_may_not_shorten_the_grace_period_of_a_requirement_in_force() {
        assert!(may_change_requirement(Admin, on(30), on(7)).is_err());
        assert_eq!(may_change_requirement(Owner, on(30), on(7)), Ok(RequirementChange::Shortens));
        assert!(RequirementChange::Shortens.needs_owner());
    }

    #[test]
    fn admins_may_not_switch_the_requirement_off() {
        assert!(may_change_requirement(Admin, on(7), OFF).is_err());
    }

    #[test]
    fn admins_may_not_lengthen_the_grace_period() {
        assert!(may_change_requirement(Admin, on(0), on(30)).is_err());
    }

    #[test]
    fn owners_may_switch_the_requirement_off_or_lengthen_it_as_a_loosening() {
        assert_eq!(may_change_requirement(Owner, on(7), OFF), Ok(RequirementChange::Loosens));
        assert_eq!(may_change_requirement(Owner, on(1), on(14)), Ok(RequirementChange::Loosens));
    }

    #[test]
    fn saving_the_requirement_unchanged_is_no_change() {
        assert_eq!(may_change_requirement(Admin, on(7), on(7)), Ok(RequirementChange::Unchanged));
        assert_eq!(
            may_change_requirement(Admin, OFF, Requirement { required: false, grace_days: 30 }),
            Ok(RequirementChange::Unchanged)
        );
    }

    #[test]
    fn members_may_not_change_the_requirement_at_all() {
        assert!(may_change_requirement(Member, OFF, on(0)).is_err());
        assert!(may_change_requirement(Member, on(7), on(7)).is_err());
    }

    #[test]
    fn members_manage_nothing() {
        assert!(may_invite(Member, Member).is_err());
        assert!(may_change_role(Member, Member, Admin).is_err());
        assert!(may_remove(Member, Member).is_err());
    }

    #[test]
    fn admins_cannot_touch_owners() {
        assert!(may_invite(Admin, Admin).is_ok());
        assert!(may_invite(Admin, Owner).is_err());
        assert!(may_change_role(Admin, Member, Admin).is_ok());
        assert!(may_change_role(Admin, Owner, Member).is_err());
        assert!(may_change_role(Admin, Member, Owner).is_err());
        assert!(may_remove(Admin, Owner).is_err());
    }

    #[test]
    fn admins_cannot_change_or_remove_another_admin() {
        assert!(may_change_role(Admin, Admin, Member).is_err(), "demote, reset, promote back");
        assert!(may_change_role(Admin, Admin, Admin).is_err());
        assert!(may_remove(Admin, Admin).is_err());
        assert!(may_remove(Admin, Member).is_ok());
        assert!(may_change_role(Owner, Admin, Member).is_ok());
    }

    const FREE: ResetCircumstances =
        ResetCircumstances { actor_has_two_factor: true, target_manages_another_org: false };

    #[test]
    fn resets_follow_the_hierarchy() {
        assert!(may_reset_two_factor(Owner, Owner, FREE).is_ok());
        assert!(may_reset_two_factor(Owner, Admin, FREE).is_ok());
        assert!(may_reset_two_factor(Admin, Member, FREE).is_ok());
        assert!(may_reset_two_factor(Admin, Admin, FREE).is_err());
        assert!(may_reset_two_factor(Admin, Owner, FREE).is_err());
        assert!(may_reset_two_factor(Member, Member, FREE).is_err());
        for actor in Role::ALL {
            for target in Role::ALL {
                assert_eq!(
                    offers_reset(actor, target),
                    may_reset_two_factor(actor, target, FREE).is_ok(),
                    "{actor:?} {target:?}"
                );
            }
        }
    }

    #[test]
    fn a_reset_needs_an_actor_who_has_two_factor() {
        let without = ResetCircumstances { actor_has_two_factor: false, ..FREE };
        assert!(may_reset_two_factor(Owner, Member, without).is_err());
    }

    #[test]
    fn nobody_resets_a_manager_of_another_organization() {
        let elsewhere = ResetCircumstances { target_manages_another_org: true, ..FREE };
        for target in Role::ALL {
            assert!(may_reset_two_factor(Owner, target, elsewhere).is_err());
        }
    }

    #[test]
    fn inviting_follows_the_roles_one_may_grant() {
        assert!(may_invite(Owner, Owner).is_ok());
        assert!(may_invite(Admin, Member).is_ok());
        assert!(may_invite(Admin, Owner).is_err());
        assert!(may_invite(Member, Member).is_err());
    }

    #[test]
    fn admins_cannot_cancel_an_owners_invitation() {
        assert!(may_cancel_invitation(Admin, Owner).is_err());
        assert!(may_cancel_invitation(Admin, Admin).is_ok());
        assert!(may_cancel_invitation(Owner, Owner).is_ok());
        assert!(may_cancel_invitation(Member, Member).is_err());
    }

    #[test]
    fn anyone_may_leave_except_the_last_owner() {
        assert!(may_leave(Member, 1).is_ok());
        assert!(may_leave(Admin, 1).is_ok());
        assert!(may_leave(Owner, 2).is_ok());
        assert_eq!(may_leave(Owner, 1), Err(Refusal::LastOwnerLeaving));
    }

    #[test]
    fn an_invitation_can_be_accepted_until_it_expires() {
        assert!(may_accept_invitation(100, 99).is_ok());
        assert!(may_accept_invitation(100, 100).is_err());
        assert_eq!(may_accept_invitation(100, 101), Err(Refusal::InvitationExpired));
    }

    #[test]
    fn owners_may_do_everything() {
        for target in Role::ALL {
            for new_role in Role::ALL {
                assert!(may_change_role(Owner, target, new_role).is_ok());
            }
            assert!(may_remove(Owner, target).is_ok());
            assert!(may_invite(Owner, target).is_ok());
        }
    }

    fn person(id: i64) -> User {
        User { id, name: format!("Person {id}"), email: format!("p{id}@example.com") }
    }

    #[test]
    fn only_owners_and_admins_manage_see_settings_audit_and_export() {
        for task in [
            ManagerTask::SeeAuditLog,
            ManagerTask::SeeSettings,
            ManagerTask::ExportMembers,
            ManagerTask::ManageApplications,
        ] {
            assert!(may_manage(Owner, task).is_ok());
            assert!(may_manage(Admin, task).is_ok());
            assert_eq!(may_manage(Member, task), Err(Refusal::ManagersOnly(task)));
        }
    }

    #[test]
    fn owners_grant_every_role_admins_all_but_owner_members_none() {
        assert_eq!(grantable_roles(Owner), vec![Owner, Admin, Member]);
        assert_eq!(grantable_roles(Admin), vec![Admin, Member]);
        assert!(grantable_roles(Member).is_empty());
    }

    #[test]
    fn requiring_two_factor_needs_it_of_every_owner_and_of_the_actor_first() {
        let (actor, other_owner) = (person(1), person(2));
        assert!(may_require_two_factor(&actor, true, vec![]).is_ok());
        assert_eq!(
            may_require_two_factor(&actor, false, vec![other_owner.clone()]),
            Err(Refusal::MustEnrollFirst(vec![actor.clone(), other_owner.clone()]))
        );
        assert_eq!(
            may_require_two_factor(&actor, false, vec![actor.clone()]),
            Err(Refusal::MustEnrollFirst(vec![actor.clone()])),
            "an owner lacking it is named once"
        );
    }

    #[test]
    fn the_last_second_factor_stays_while_an_organization_requires_two_factor() {
        let acme = || vec!["Acme".to_string()];
        assert_eq!(may_remove_second_factor(0, acme()), Err(Refusal::RequiredBy(acme())));
        assert_eq!(may_remove_second_factor(1, acme()), Ok(()), "another key or the app remains");
        assert_eq!(may_remove_second_factor(0, vec![]), Ok(()), "nobody requires it: 2FA goes off");
    }

    #[test]
    fn an_organization_allows_at_least_one_kind_of_second_factor() {
        let none = Kinds::NONE;
        let keys_only = Kinds::of([Kind::SecurityKey]);
        let all = Kinds::ALL;
        assert_eq!(may_change_allowed_factors(Owner, all, none), Err(Refusal::NoFactorAllowed));
        assert!(may_change_allowed_factors(Member, all, keys_only).is_err());
        assert_eq!(may_change_allowed_factors(Admin, all, keys_only), Ok(FactorsChange::Tighten));
        assert_eq!(may_change_allowed_factors(Admin, keys_only, keys_only), Ok(FactorsChange::Tighten), "unchanged");
    }

    #[test]
    fn allowing_another_kind_of_second_factor_is_for_owners() {
        let keys_only = Kinds::of([Kind::SecurityKey]);
        let app_only = Kinds::of([Kind::App]);
        assert_eq!(may_change_allowed_factors(Admin, keys_only, Kinds::ALL), Err(Refusal::OwnersOnlyLoosenFactors));
        assert_eq!(may_change_allowed_factors(Admin, keys_only, app_only), Err(Refusal::OwnersOnlyLoosenFactors));
        assert_eq!(may_change_allowed_factors(Owner, keys_only, app_only), Ok(FactorsChange::Loosen));
    }

    #[test]
    fn two_factor_stays_on_while_an_organization_requires_it() {
        assert!(may_disable_two_factor(vec![]).is_ok());
        assert_eq!(may_disable_two_factor(vec!["Acme".into()]), Err(Refusal::RequiredBy(vec!["Acme".into()])));
    }
}
