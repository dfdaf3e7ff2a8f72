//! Who may do what inside an organization. Pure rules, no I/O.

use crate::model::Role;

/// Why an action is refused, as the person acting should read it.
pub type Refusal = &'static str;

const MANAGERS_ONLY: Refusal = "Only owners and admins can manage members.";
const OWNERS_ONLY: Refusal = "Only owners can grant, change or remove the owner role.";

pub fn may_add(actor: Role, new_role: Role) -> Result<(), Refusal> {
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
        assert!(may_add(Member, Member).is_err());
        assert!(may_change_role(Member, Member, Admin).is_err());
        assert!(may_remove(Member, Member).is_err());
    }

    #[test]
    fn admins_cannot_touch_owners() {
        assert!(may_add(Admin, Admin).is_ok());
        assert!(may_add(Admin, Owner).is_err());
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
    fn owners_may_do_everything() {
        for target in Role::ALL {
            for new_role in Role::ALL {
                assert!(may_change_role(Owner, target, new_role).is_ok());
            }
            assert!(may_remove(Owner, target).is_ok());
            assert!(may_add(Owner, target).is_ok());
        }
    }
}
