//! What a person reads at their next visit (an admin's reset of their 2FA, a
//! key added to their account), stored as a kind and its parameters and
//! worded when read (`words::notice`), so that a rewording reaches the
//! notices already waiting.

use serde::{Deserialize, Serialize};

use crate::model::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// An owner or admin of `org` reset the account's 2FA at `at`.
    TwoFactorReset {
        actor: String,
        actor_email: String,
        actor_role: Role,
        org: String,
        /// The organization required 2FA then.
        org_requires: bool,
        at: i64,
    },
    /// A security key or passkey named `name` was added at `at`, and the other sessions ended.
    SecurityKeyAdded { name: String, at: i64 },
}

impl Notice {
    /// As stored in `users.notice`.
    pub fn stored(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored notice; `None` for text written before notices had kinds (shown as it is).
    pub fn parse(stored: &str) -> Option<Self> {
        serde_json::from_str(stored).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_reads_back_as_stored_and_old_prose_is_not_a_notice() {
        let notice = Notice::SecurityKeyAdded { name: "Phone".into(), at: 5 };
        assert_eq!(Notice::parse(&notice.stored()), Some(notice));
        assert_eq!(Notice::parse("Olivia reset your two-factor authentication."), None);
    }
}
