//! Types shared by the browser and the server. Nothing secret lives here:
//! everything in this module may be serialized to a browser.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
}

impl User {
    /// Up to two initials for the avatar: "Alice Smith" -> "AS".
    pub fn initials(&self) -> String {
        let initials: String = self
            .name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect();
        if initials.is_empty() {
            self.email.chars().next().map(|c| c.to_uppercase().collect()).unwrap_or_default()
        } else {
            initials
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Member,
    Admin,
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Admin, Role::Member];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Member => "Member",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            "member" => Ok(Role::Member),
            other => Err(format!("\"{other}\" is not a role: choose owner, admin or member.")),
        }
    }
}

/// An organization as one of its members sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub my_role: Role,
    /// When the organization requires 2FA: from this Unix time on, members
    /// without it are refused (the end of the grace period).
    pub two_factor_deadline: Option<i64>,
}

/// The Settings tab, for owners and admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettings {
    pub org: OrgSummary,
    pub require_two_factor: bool,
    pub grace_days: i64,
    /// "Allow personal access tokens and application passwords for this organization's data".
    pub allow_api_tokens: bool,
    /// "Allowed second factors".
    pub allowed_factors: crate::factors::Kinds,
    /// Members may skip the code on browsers they chose to remember.
    pub allow_remembered_browsers: bool,
    /// Members whose address is not verified are refused.
    pub require_verified_emails: bool,
    /// Sign-ins through another identity provider must say they used several
    /// factors there (`amr`), or are asked for this server's second factor.
    pub require_upstream_mfa: bool,
    /// The operator configured an SMS gateway: text messages may be allowed.
    pub sms_offered: bool,
}

/// Grace periods offered when requiring 2FA, in days (0: immediately).
pub const GRACE_DAYS: [i64; 6] = [0, 1, 3, 7, 14, 30];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: i64,
    pub name: String,
    /// Owners and admins only: plain members see names and roles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub role: Role,
    /// Whether the member has 2FA on. Only owners and admins get it: for plain
    /// members the field is absent from every response, not merely hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_factor: Option<bool>,
    /// Owners and admins only: the member's 2FA is of a kind the organization
    /// allows, or none is needed (`factors::compliance::complies`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complies: Option<bool>,
    /// Owners and admins only, for members without a password: the identity
    /// providers they sign in through ("Signs in with Acme SSO"; empty: a passkey only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signs_in_with: Option<Vec<String>>,
    /// Owners and admins only: how many live personal access tokens and
    /// application passwords the member has (never the tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_tokens: Option<i64>,
}

/// The organization page: the organization and its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgPage {
    pub org: OrgSummary,
    pub members: Vec<Member>,
    /// Set while the organization requires 2FA, the viewer lacks it and the
    /// grace period runs: its end, for the banner.
    pub two_factor_due: Option<i64>,
}

/// How long an invitation may be accepted.
pub const INVITATION_DAYS: i64 = 14;

/// An invitation as the invitee sees it (on the home page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub id: i64,
    pub org_name: String,
    pub org_slug: String,
    /// Who invited; `None` once their account is gone.
    pub inviter: Option<String>,
    pub role: Role,
    pub expires_at: i64,
    pub expired: bool,
}

/// A pending invitation as the organization's owners and admins see it:
/// the email they typed, nothing of any account behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub inviter: Option<String>,
    pub expires_at: i64,
    pub expired: bool,
}

/// An invitation as sent: the one-time code is shown to the inviter only now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationSent {
    pub email: String,
    pub code: String,
    /// What the Members tab says.
    pub message: String,
}

impl InvitationSent {
    pub fn new(email: String, code: String) -> Self {
        let message = format!(
            "Invitation sent to {email}. They will see it when they log in, or after they sign up, and accept it with \
             this invitation code: {code}. Give it to them yourself (it is shown only now)."
        );
        Self { email, code, message }
    }
}

/// The two-factor state of the signed-in user's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    /// An authenticator app or a security key.
    pub enabled: bool,
    /// When the authenticator app was set up.
    pub enabled_at: Option<i64>,
    /// Which methods are active: the app, and how many security keys.
    #[serde(default)]
    pub authenticator_app: bool,
    #[serde(default)]
    pub security_keys: u32,
    pub codes_left: u32,
    pub codes_total: u32,
    /// Text messages: the number, masked (`+1 ••• ••• 01 23`), when set up.
    #[serde(default)]
    pub sms: Option<String>,
    /// The operator configured an SMS gateway: "Text message (SMS)" is offered.
    #[serde(default)]
    pub sms_offered: bool,
    /// The code the login asks for first ("authenticator_app" or "sms"), where both are set up.
    #[serde(default)]
    pub preferred: Option<String>,
}

/// A code texted, or waiting to be ("Send the code again" in `resend_in_secs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsSent {
    /// Where it went: `+1 ••• ••• 01 23`.
    pub masked: String,
    /// A code was sent (at the login's step, perhaps not yet).
    pub sent: bool,
    pub resend_in_secs: i64,
}

/// The account's address and whether a link sent to it was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailStatus {
    pub email: String,
    pub verified: bool,
}

/// One browser the account is signed in on ("Where you're signed in").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedInSession {
    /// Names the session for "Sign out" (grants nothing).
    pub id: String,
    pub browser: String,
    pub address: Option<String>,
    pub started_at: i64,
    pub last_active_at: i64,
    /// How it signed in, in words ("Password and authenticator app").
    pub how: String,
    /// The browser asking.
    pub current: bool,
}

/// A browser that skips the code at sign-in ("Don't ask for a code on this browser").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RememberedBrowser {
    /// Names the browser for "Forget" (grants nothing).
    pub id: String,
    pub browser: String,
    pub address: Option<String>,
    pub last_active_at: i64,
    pub remembered_until: i64,
    /// The browser asking.
    pub current: bool,
}

/// The Account page's browser settings: the remembered browsers, and
/// whether a sign-in from a new browser is mailed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrowserSettings {
    pub remembered: Vec<RememberedBrowser>,
    pub new_browser_mail: bool,
}

/// What the page behind a password reset link asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetForm {
    /// 2FA is on: a code from the app, or a backup code, goes with the new password.
    pub code_needed: bool,
    /// The account has the authenticator app (else only a backup code will do).
    pub has_app: bool,
}

/// Step 1 of enrollment: what the dialog shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentStart {
    /// The QR code of the otpauth URI, as inline SVG rendered on the server.
    pub qr_svg: String,
    /// The base32 key in groups of four.
    pub setup_key: String,
    pub account: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackupCodeView {
    pub code: String,
    pub used: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginOutcome {
    LoggedIn(User),
    /// Password accepted; the authenticator code is due next.
    SecondFactorRequired,
}

/// The second step succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondStepDone {
    /// Set when a backup code was used: how many remain.
    pub backup_codes_left: Option<u32>,
}

/// One line of the Security log or the Audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub at: i64,
    pub what: String,
    /// Audit log: who did it.
    pub actor: Option<String>,
    pub detail: String,
    pub ip: Option<String>,
    pub browser: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    pub entries: Vec<LogEntry>,
    pub page: i64,
    pub has_more: bool,
}

pub const LOG_PAGE_SIZE: i64 = 20;

/// "2026-11-22" from Unix seconds (UTC), without a date library in the browser bundle.
pub fn format_date(unix_secs: i64) -> String {
    let days = unix_secs.div_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// "14:03:07 UTC" from Unix seconds.
pub fn format_utc_time(unix_secs: i64) -> String {
    let s = unix_secs.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02} UTC", s / 3600, (s / 60) % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(951_782_400), "2000-02-29");
        assert_eq!(format_date(1_795_305_600), "2026-11-22");
        assert_eq!(format_utc_time(1_795_305_600 + 3_723), "01:02:03 UTC");
    }

    #[test]
    fn initials() {
        let u = |name: &str| User { id: 1, name: name.into(), email: "x@example.com".into() };
        assert_eq!(u("Alice Smith").initials(), "AS");
        assert_eq!(u("bob").initials(), "B");
        assert_eq!(u("Anna Maria Jones").initials(), "AM");
    }
}
