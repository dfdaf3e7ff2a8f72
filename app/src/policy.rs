//! Who may do what inside an organization. Pure rules, no I/O.

use crate::model::Role;

/// Why an action is refused, as the person acting should read it.
pub type Refusal = &'static str;

const MANAGERS_ONLY: Refusal = "Only owners and admins can manage members.";
const OWNERS_ONLY: Refusal = "Only owners can grant, change or remove the owner role.";

/// Inviting someone with a role is granting it, once they accept.
pub fn may_invite(actor: Role, new_role: Role) -> Result<(), Refusal> {
    match actor {
        Role::Owner => Ok(()),
        Role::Admin if new_role != Role::Owner => Ok(()),
        Role::Admin => Err(OWNERS_ONLY),
        Role::Member => Err(MANAGERS_ONLY),
    }
}

pub fn may_change_role(actor: Role, target: Role, new_role: Role) -> Result<(), Refusal> {
    match actor {
        Role::Owner => Ok(()),
        Role::Admin if target != Role::Owner && new_role != Role::Owner => Ok(()),
        Role::Admin => Err(OWNERS_ONLY),
        Role::Member => Err(MANAGERS_ONLY),
    }
}

pub fn may_remove(actor: Role, target: Role) -> Result<(), Refusal> {
    match actor {
        Role::Owner => Ok(()),
        Role::Admin if target != Role::Owner => Ok(()),
        Role::Admin => Err(OWNERS_ONLY),
        Role::Member => Err(MANAGERS_ONLY),
    }
}

/// Cancelling (or replacing) an invitation: as removing a member of the invited role.
pub fn may_cancel_invitation(actor: Role, invited_role: Role) -> Result<(), Refusal> {
    may_remove(actor, invited_role)
}

/// Leaving an organization: anyone, except its last owner.
pub fn may_leave(role: Role, owners: i64) -> Result<(), Refusal> {
    if role == Role::Owner && owners <= 1 {
        return Err("You are the last owner of this organization: make someone else an owner before you leave.");
    }
    Ok(())
}

/// Accepting an invitation: only before it expires.
pub fn may_accept_invitation(expires_at: i64, now: i64) -> Result<(), Refusal> {
    if now >= expires_at {
        return Err("This invitation has expired. Ask an owner or admin of the organization to invite you again.");
    }
    Ok(())
}

/// Resetting a member's 2FA: owners for anyone, admins for plain members only.
pub fn may_reset_two_factor(actor: Role, target: Role) -> Result<(), Refusal> {
    match (actor, target) {
        (Role::Owner, _) | (Role::Admin, Role::Member) => Ok(()),
        (Role::Admin, _) => Err("Admins can reset the two-factor authentication of members only, not of owners or admins."),
        (Role::Member, _) => Err(MANAGERS_ONLY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

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
        assert!(may_remove(Admin, Admin).is_ok());
    }

    #[test]
    fn resets_follow_the_hierarchy() {
        assert!(may_reset_two_factor(Owner, Owner).is_ok());
        assert!(may_reset_two_factor(Owner, Admin).is_ok());
        assert!(may_reset_two_factor(Admin, Member).is_ok());
        assert!(may_reset_two_factor(Admin, Admin).is_err());
        assert!(may_reset_two_factor(Admin, Owner).is_err());
        assert!(may_reset_two_factor(Member, Member).is_err());
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
        assert_eq!(may_leave(Owner, 1), Err("You are the last owner of this organization: make someone else an owner before you leave."));
    }

    #[test]
    fn an_invitation_can_be_accepted_until_it_expires() {
        assert!(may_accept_invitation(100, 99).is_ok());
        assert!(may_accept_invitation(100, 100).is_err());
        assert!(may_accept_invitation(100, 101).unwrap_err().contains("expired"));
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
}
