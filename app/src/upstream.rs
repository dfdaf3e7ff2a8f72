//! Other identity providers as pages see them: the login page's buttons and
//! the Account page's "Connected accounts".

use serde::{Deserialize, Serialize};

/// "Sign in with Acme SSO" on the login page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderButton {
    pub id: i64,
    pub label: String,
    /// Why it cannot be used right now (its issuer could not be reached).
    pub unavailable: Option<String>,
}

/// One provider on the Account page, connected or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderLink {
    pub id: i64,
    pub name: String,
    /// Connected: since when, and the address the provider gave then.
    pub connected_since: Option<i64>,
    pub email: Option<String>,
}

/// "Connected accounts" and "Password" on the Account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ConnectedAccounts {
    pub providers: Vec<ProviderLink>,
    pub has_password: bool,
    /// A provider is connected or a passkey registered: the password may go.
    pub can_remove_password: bool,
    /// Re-authentication asks for a code too.
    pub two_factor: bool,
}

/// Where the login page sends a provider's button.
pub fn start_path(provider_id: i64, next: Option<&str>) -> String {
    match next {
        Some(next) => format!("/login/upstream/{provider_id}?continue={}", crate::applications::encode_component(next)),
        None => format!("/login/upstream/{provider_id}"),
    }
}
