//! "Does this member meet the organization's 2FA requirement?": the one
//! answer that the page and server-function gate, REST, OpenID Connect
//! (authorize, token, refresh, userinfo), the Members tab, the REST members
//! list and the CSV export all ask.
//!
//! As in the seeds, the requirement is about the account: a member complies
//! by holding a second factor of a kind the organization allows, however the
//! current session signed in (a member who enrolls mid-session complies at once).
//! The Hub seed's other way: an account without a password signs in only
//! through another identity provider or a passkey, so it complies too,
//! unless the organization asks upstream sign-ins for a multi-factor claim
//! (then only a second factor held here counts).

use super::Kinds;

/// An organization's 2FA rule as it applies to its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrgRule {
    /// Set while 2FA is required: from this Unix time on (the end of the
    /// grace period), members without an allowed factor are refused.
    pub deadline: Option<i64>,
    /// "Allowed second factors".
    pub allowed: Kinds,
    /// Upstream sign-ins without a multi-factor claim are asked for a second factor here.
    pub upstream_needs_mfa: bool,
}

/// What an account brings to an organization's requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub held: Kinds,
    /// False once the owner removed it: they sign in through a provider or a passkey only.
    pub has_password: bool,
}

impl Account {
    pub fn with_password(held: Kinds) -> Self {
        Self { held, has_password: true }
    }
}

/// Where a member stands with an organization's requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The organization does not require 2FA.
    NotRequired,
    /// The member holds a second factor of an allowed kind.
    Complies,
    /// Required, lacking, and the grace period runs until `until`: let in, with the banner.
    Due { until: i64 },
    /// Required, lacking, and the grace period is over: refused everywhere.
    Refused,
}

impl Standing {
    pub fn is_refused(self) -> bool {
        self == Standing::Refused
    }

    /// The end of the grace period, while it runs for this member.
    pub fn due(self) -> Option<i64> {
        match self {
            Standing::Due { until } => Some(until),
            _ => None,
        }
    }
}

/// The member meets the organization's rule (required or not): a second
/// factor of an allowed kind, or no password to guess (the Hub seed) while
/// the organization trusts its members' identity providers.
pub fn complies(account: Account, rule: OrgRule) -> bool {
    account.held.meets(rule.allowed) || (!account.has_password && !rule.upstream_needs_mfa)
}

/// Where a member with `account` stands with `rule` at `now`.
pub fn standing(account: Account, rule: OrgRule, now: i64) -> Standing {
    match rule.deadline {
        None => Standing::NotRequired,
        Some(_) if complies(account, rule) => Standing::Complies,
        Some(until) if now < until => Standing::Due { until },
        Some(_) => Standing::Refused,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Kind::{App, SecurityKey};
    use super::*;

    const NOW: i64 = 1_000_000;

    /// Every combination of what a member holds, what the organization
    /// allows, and where the requirement is.
    #[test]
    fn a_member_complies_only_with_an_allowed_factor_and_is_refused_only_after_the_grace_period() {
        let none = Kinds::NONE;
        let app = Kinds::of([App]);
        let keys = Kinds::of([SecurityKey]);
        let both = Kinds::ALL;
        let off = None;
        let in_grace = Some(NOW + 60);
        let over = Some(NOW);
        use Standing::*;
        let due = Due { until: NOW + 60 };
        #[rustfmt::skip]
        let table = [
            // held, allowed, deadline, standing
            (none, both, off, NotRequired), (app, both, off, NotRequired), (keys, app, off, NotRequired),
            (none, both, in_grace, due), (none, app, in_grace, due), (none, keys, in_grace, due),
            (none, both, over, Refused), (none, app, over, Refused), (none, keys, over, Refused),
            (app, both, in_grace, Complies), (app, app, in_grace, Complies), (app, keys, in_grace, due),
            (app, both, over, Complies), (app, app, over, Complies), (app, keys, over, Refused),
            (keys, both, in_grace, Complies), (keys, keys, in_grace, Complies), (keys, app, in_grace, due),
            (keys, both, over, Complies), (keys, keys, over, Complies), (keys, app, over, Refused),
            (both, both, over, Complies), (both, app, over, Complies), (both, keys, over, Complies),
        ];
        for (held, allowed, deadline, expected) in table {
            let rule = OrgRule { deadline, allowed, upstream_needs_mfa: false };
            assert_eq!(
                standing(Account::with_password(held), rule, NOW),
                expected,
                "held {held:?}, allowed {allowed:?}, deadline {deadline:?}"
            );
        }
    }

    #[test]
    fn the_deadline_itself_is_the_first_refused_moment() {
        let rule = OrgRule { deadline: Some(NOW), allowed: Kinds::ALL, upstream_needs_mfa: false };
        let (none, all) = (Account::with_password(Kinds::NONE), Account::with_password(Kinds::ALL));
        assert_eq!(standing(none, rule, NOW - 1), Standing::Due { until: NOW });
        assert!(standing(none, rule, NOW).is_refused());
        assert_eq!(standing(none, rule, NOW - 1).due(), Some(NOW));
        assert_eq!(standing(all, rule, NOW).due(), None);
    }

    #[test]
    fn a_member_without_a_password_complies_unless_the_organization_asks_upstream_sign_ins_for_mfa() {
        let trusting = OrgRule { deadline: Some(NOW), allowed: Kinds::of([App]), upstream_needs_mfa: false };
        let strict = OrgRule { upstream_needs_mfa: true, ..trusting };
        let passwordless = Account { held: Kinds::NONE, has_password: false };
        assert_eq!(standing(passwordless, trusting, NOW), Standing::Complies);
        assert!(standing(passwordless, strict, NOW).is_refused(), "then only a factor held here counts");
        let with_app = Account { held: Kinds::of([App]), has_password: false };
        assert_eq!(standing(with_app, strict, NOW), Standing::Complies);
        let with_key = Account { held: Kinds::of([SecurityKey]), has_password: false };
        assert!(standing(with_key, strict, NOW).is_refused(), "a kind the organization does not allow");
        assert!(standing(Account::with_password(Kinds::NONE), trusting, NOW).is_refused(), "a password and no 2FA");
    }
}
