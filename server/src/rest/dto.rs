//! What the API reads and writes, with their OpenAPI schemas.

use app::api_access::Scope;
use app::model::{Member as MemberModel, OrgSummary, Role};
use app::server::store::api_logs::LogRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The one error shape. Validation errors add `field`.
#[derive(Serialize, ToSchema)]
pub struct ApiErrorBody {
    /// A machine code: unauthorized, invalid_credentials, forbidden, two_factor_required, not_found,
    /// conflict, validation, bad_request, payload_too_large, unsupported_media_type, rate_limited, …
    pub code: String,
    /// A sentence for a person.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For refusals: a stable code saying which rule refused (`two_factor_required_by`,
    /// `key_confirmation_needed`, …), to branch on instead of the sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// A link mailed to the address was opened since it became the account's.
    pub email_verified: bool,
    pub two_factor_enabled: bool,
    /// How this request authenticated: personal_access_token, application_password or password.
    pub authenticated_with: String,
    /// What this request may do.
    pub scopes: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LogEntry {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// A machine kind, e.g. logged_in, role_changed.
    pub kind: String,
    /// The same in words.
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
}

impl From<LogRow> for LogEntry {
    fn from(r: LogRow) -> Self {
        Self {
            id: r.id,
            at: r.at,
            kind: r.kind,
            what: r.what,
            actor: r.actor,
            detail: r.detail,
            ip: r.ip,
            browser: r.browser,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LogPage {
    pub items: Vec<LogEntry>,
    /// Pass as `cursor` for the next page; null on the last.
    pub next_cursor: Option<String>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RoleName {
    Owner,
    Admin,
    Member,
}

impl From<Role> for RoleName {
    fn from(role: Role) -> Self {
        match role {
            Role::Owner => Self::Owner,
            Role::Admin => Self::Admin,
            Role::Member => Self::Member,
        }
    }
}

impl RoleName {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Org {
    pub slug: String,
    pub name: String,
    pub my_role: RoleName,
    /// When members without two-factor authentication are refused (Unix seconds); null when not required.
    pub two_factor_deadline: Option<i64>,
}

impl From<OrgSummary> for Org {
    fn from(o: OrgSummary) -> Self {
        Self { slug: o.slug, name: o.name, my_role: o.my_role.into(), two_factor_deadline: o.two_factor_deadline }
    }
}

#[derive(Serialize, ToSchema)]
pub struct OrgPage {
    pub items: Vec<Org>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Member {
    pub user_id: i64,
    pub name: String,
    pub role: RoleName,
    /// Owners and admins only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Owners and admins only, as on the Members tab.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub two_factor: Option<bool>,
    /// Owners and admins only: the member's 2FA is of a kind the organization allows,
    /// or the member has no password and the organization trusts their identity provider.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complies: Option<bool>,
    /// Owners and admins only, for members without a password: the identity
    /// providers they sign in through (empty: passkeys only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signs_in_with: Option<Vec<String>>,
    /// Owners and admins only: live personal access tokens and application passwords.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active_tokens: Option<i64>,
}

impl Member {
    pub fn from_model(m: MemberModel) -> Self {
        Self {
            user_id: m.user_id,
            name: m.name,
            role: m.role.into(),
            email: m.email,
            two_factor: m.two_factor,
            complies: m.complies,
            signs_in_with: m.signs_in_with,
            active_tokens: m.active_tokens,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberPage {
    pub items: Vec<Member>,
    pub next_cursor: Option<String>,
}

/// Invites a person; they join when they accept.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Invite {
    #[schema(max_length = 320)]
    pub email: String,
    pub role: RoleName,
}

#[derive(Serialize, ToSchema)]
pub struct Invited {
    /// The email as normalized.
    pub email: String,
    /// The one-time code the invitee accepts with: give it to them (it is not shown again).
    #[schema(example = "7K3Q-XW9D-2MFA")]
    pub code: String,
    pub message: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRole {
    pub role: RoleName,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Requirement {
    pub required: bool,
    /// One of 0, 1, 3, 7, 14, 30.
    pub grace_days: i64,
}

/// Switching the requirement off, or changing the grace period of one in
/// force, needs an owner's `password` and current `code`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetRequirement {
    pub required: bool,
    pub grace_days: i64,
    #[serde(default)]
    #[schema(max_length = 1024)]
    pub password: String,
    #[serde(default)]
    #[schema(max_length = 64)]
    pub code: String,
}

/// The actor's own password and a current code (or a backup code).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reauthentication {
    #[schema(max_length = 1024)]
    pub password: String,
    #[schema(max_length = 64)]
    pub code: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiAccess {
    /// "Allow personal access tokens and application passwords for this organization's data".
    pub allow: bool,
}

pub fn scope_names(scopes: &[Scope]) -> Vec<String> {
    scopes.iter().map(|s| s.as_str().to_string()).collect()
}
