//! Applications that sign their users in through Portcullis (OpenID
//! Connect), as the browser sees them. Nothing secret here, except the
//! client secret in `NewCredentials`, shown once to the person who made it.

use serde::{Deserialize, Serialize};

use crate::model::OrgSummary;

/// What a scope lets an application learn, in the consent page's words.
pub fn scope_description(scope: &str) -> Option<&'static str> {
    Some(match scope {
        "openid" => "Know that it is you (a stable identifier, and how you signed in)",
        "profile" => "Your name",
        "email" => "Your email address",
        "orgs" => "Your organizations and your role in each",
        "groups" => "Your organizations and your role in each, as group names",
        "offline_access" => "Stay signed in while you are away",
        _ => return None,
    })
}

/// Percent-encodes a query parameter's value (no library in the browser bundle for this).
/// A `continue` target after login: a path on this site ("/…", not "//…",
/// no backslash or control character), or nothing.
pub fn local_path(target: &str) -> Option<&str> {
    let ok = target.starts_with('/')
        && !target.starts_with("//")
        && !target.contains('\\')
        && !target.chars().any(char::is_control)
        && target.len() <= 2000;
    ok.then_some(target)
}

pub fn encode_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.extend(['%', HEX[usize::from(b >> 4)] as char, HEX[usize::from(b & 15)] as char]);
        }
    }
    out
}

/// The login page, coming back to `path` (on this site) afterwards.
pub fn login_then(path: &str) -> String {
    format!("/login?continue={}", encode_component(path))
}

/// The continuation of a stored authorization request.
pub fn continue_path(handle: &str) -> String {
    format!("/oidc/authorize/continue?request={}", encode_component(handle))
}

/// How an application's ID tokens are signed (`id_token_signed_response_alg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SigningAlg {
    /// RSA with SHA-256: the OpenID Connect default, what a client that registers nothing expects.
    #[serde(rename = "RS256")]
    Rs256,
    /// ECDSA on P-256: smaller tokens, for clients that ask for it.
    #[serde(rename = "ES256")]
    Es256,
}

/// New clients get RS256 unless they ask for ES256.
impl Default for SigningAlg {
    fn default() -> Self {
        Self::Rs256
    }
}

impl SigningAlg {
    pub const ALL: [SigningAlg; 2] = [SigningAlg::Rs256, SigningAlg::Es256];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignIn {
    pub name: String,
    pub email: String,
    pub at: i64,
    /// The session used a second factor.
    pub two_factor: bool,
}

/// A registered application, for its organization's owners and admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub client_id: String,
    pub name: String,
    /// No secret: PKCE only (a single-page or native app).
    pub public: bool,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub require_two_factor: bool,
    pub id_token_alg: SigningAlg,
    /// May introspect the tokens of every application of its organization.
    pub resource_server: bool,
    /// Where logout tokens are posted (OpenID Connect Back-Channel Logout).
    pub backchannel_logout_uri: Option<String>,
    /// May use the client credentials grant (a CI job, a daemon).
    pub service: bool,
    /// A shorter refresh token life than the default, in seconds.
    pub refresh_token_secs: Option<i64>,
    /// Organizations whose members it admits besides its own.
    pub also_admits: Vec<OrgName>,
    pub disabled: bool,
    pub created_at: i64,
    pub recent_sign_ins: Vec<SignIn>,
}

/// An organization as a choice in a form: its slug and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgName {
    pub slug: String,
    pub name: String,
}

/// The Applications tab.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationsPage {
    pub org: OrgSummary,
    pub applications: Vec<Application>,
    /// The issuer applications are configured with; `None` while the feature is off.
    pub issuer: Option<String>,
    /// The other organizations the person manages: whose members an application may admit too.
    pub also_manages: Vec<OrgName>,
}

/// Shown once, right after registering or regenerating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCredentials {
    pub client_id: String,
    pub client_secret: Option<String>,
}

/// What the authorization page shows for a request waiting on its user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthorizationPrompt {
    /// First use (or new scopes): "Allow" or "Deny".
    Consent { app: String, org: String, scopes: Vec<String> },
    /// Not a member of the application's organization; `back` returns `access_denied` to it.
    NotMember { app: String, org: String, back: String },
    /// 2FA must be set up first; the page reloads into the flow once it is.
    EnrollTwoFactor { app: String, org: String, by_app: bool, account: String },
    /// The organization requires a verified address; `back` returns `access_denied` to the application.
    VerifyEmail { app: String, org: String, back: String },
    /// Nothing to ask: continue to the application.
    Ready { app: String, next: String },
}

/// An application the signed-in user allowed, for the Account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowedApplication {
    pub client_id: String,
    pub name: String,
    pub org_name: String,
    pub scopes: Vec<String>,
    pub granted_at: i64,
}

/// The RP-initiated logout page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogoutPrompt {
    pub app: Option<String>,
    pub signed_in: bool,
    /// Where to go afterwards (validated), as a same-site path that hands over to the application.
    pub back: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_are_encoded_into_the_login_link() {
        assert_eq!(continue_path("pcq_a-b_c"), "/oidc/authorize/continue?request=pcq_a-b_c");
        assert_eq!(login_then("/x?a=1&b=2"), "/login?continue=%2Fx%3Fa%3D1%26b%3D2");
        assert_eq!(encode_component("é "), "%C3%A9%20");
    }
}
