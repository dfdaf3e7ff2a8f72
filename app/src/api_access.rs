//! Personal access tokens and application passwords: what both the Account
//! page and the server know of them (scopes, expiry choices, the list rows).
//! The secrets themselves are made and checked in `server::api_tokens`.

use serde::{Deserialize, Serialize};

/// What a personal access token may do. Each REST route needs one of them;
/// none implies another (a `write` token cannot read unless it also has `read`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    /// Every `GET`: the account, its security log, organizations, members, audit logs.
    #[serde(rename = "read")]
    Read,
    /// Membership changes: invite, change a role, remove a member.
    #[serde(rename = "write")]
    Write,
    /// An organization's security settings: the two-factor requirement,
    /// resetting a member's two-factor authentication, the token switch.
    #[serde(rename = "admin:org")]
    AdminOrg,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Write, Scope::AdminOrg];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::AdminOrg => "admin:org",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|scope| scope.as_str() == s)
    }

    pub fn describe(self) -> &'static str {
        match self {
            Scope::Read => "Read your account, organizations, members and logs",
            Scope::Write => "Invite, change the role of and remove members",
            Scope::AdminOrg => "Change organizations' security settings and reset members' two-factor authentication",
        }
    }
}

/// Space-separated, in the order of `Scope::ALL`, without repeats.
pub fn scopes_to_string(scopes: &[Scope]) -> String {
    Scope::ALL.into_iter().filter(|s| scopes.contains(s)).map(Scope::as_str).collect::<Vec<_>>().join(" ")
}

/// Parses stored or typed scopes; `None` when one is unknown.
pub fn parse_scopes(s: &str) -> Option<Vec<Scope>> {
    let mut scopes = Vec::new();
    for word in s.split([' ', ',']).filter(|w| !w.is_empty()) {
        let scope = Scope::parse(word)?;
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Some(Scope::ALL.into_iter().filter(|s| scopes.contains(s)).collect())
}

/// Expiry choices offered, in days; 0 is "no expiry" (shown with a warning).
pub const EXPIRY_DAYS: [i64; 4] = [30, 90, 365, 0];

pub const NO_EXPIRY_WARNING: &str =
    "A token that never expires works until you revoke it: anyone who finds it later can use it.";

/// The two kinds of API secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    PersonalAccessToken,
    ApplicationPassword,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PersonalAccessToken => "personal_access_token",
            Self::ApplicationPassword => "application_password",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::PersonalAccessToken, Self::ApplicationPassword].into_iter().find(|k| k.as_str() == s)
    }
}

/// One row of the Account page's lists (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCredential {
    pub id: i64,
    pub kind: CredentialKind,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
}

/// Both lists of the Account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ApiCredentials {
    pub tokens: Vec<ApiCredential>,
    pub app_passwords: Vec<ApiCredential>,
}

/// A secret just made: shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewSecret {
    pub id: i64,
    pub secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_in_a_fixed_order_without_repeats() {
        let scopes = parse_scopes("admin:org read,read").unwrap();
        assert_eq!(scopes, [Scope::Read, Scope::AdminOrg]);
        assert_eq!(scopes_to_string(&scopes), "read admin:org");
        assert_eq!(parse_scopes("read delete"), None, "an unknown scope is refused");
    }
}
