//! The security event log: what happened to an account, when, from where.

use crate::error::AppResult;
use crate::model::{LogEntry, LogPage};
use crate::server::db::Db;
use crate::server::words::labels::{browser_label, event_label};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityEvent {
    LoggedIn,
    LoginFailed,
    TwoFactorEnabled,
    TwoFactorDisabled,
    CodesRevealed,
    CodesRegenerated,
    RecoveryCodeUsed,
    FailedCode,
    Lockout,
    LoginLockout,
    TwoFactorResetByAdmin,
    ApplicationAllowed,
    ApplicationRevoked,
    ApplicationTokenReused,
    ApiTokenCreated,
    ApiTokenRevoked,
    AppPasswordCreated,
    AppPasswordRevoked,
    /// A refused API authentication (wrong password over Basic is `LoginFailed`).
    ApiAuthFailed,
    SecurityKeyAdded,
    SecurityKeyRenamed,
    SecurityKeyRemoved,
    SecurityKeyUsed,
    /// A key confirmed a protection change (adding an authenticator).
    SecurityKeyConfirmed,
    SecurityKeyFailed,
    /// A key's counter went backwards: it may have been cloned.
    SecurityKeyCloneWarning,
    EmailVerified,
    EmailChanged,
    PasswordChanged,
    PasswordResetRequested,
    PasswordReset,
    SessionEnded,
    OtherSessionsEnded,
    OperatorAction,
    BrowserForgotten,
    /// Signed in through another identity provider (the detail names it).
    UpstreamSignIn,
    ProviderConnected,
    ProviderDisconnected,
    PasswordRemoved,
    /// A code was texted (the detail: the masked number).
    SmsCodeSent,
    /// A send was refused by a limit (the detail: which one).
    SmsLimitReached,
    /// A verified number became a second factor, or replaced the old one.
    SmsNumberSet,
    SmsNumberRemoved,
}

impl SecurityEvent {
    pub const ALL: [SecurityEvent; 43] = [
        Self::LoggedIn,
        Self::LoginFailed,
        Self::TwoFactorEnabled,
        Self::TwoFactorDisabled,
        Self::CodesRevealed,
        Self::CodesRegenerated,
        Self::RecoveryCodeUsed,
        Self::FailedCode,
        Self::Lockout,
        Self::LoginLockout,
        Self::TwoFactorResetByAdmin,
        Self::ApplicationAllowed,
        Self::ApplicationRevoked,
        Self::ApplicationTokenReused,
        Self::ApiTokenCreated,
        Self::ApiTokenRevoked,
        Self::AppPasswordCreated,
        Self::AppPasswordRevoked,
        Self::ApiAuthFailed,
        Self::SecurityKeyAdded,
        Self::SecurityKeyRenamed,
        Self::SecurityKeyRemoved,
        Self::SecurityKeyUsed,
        Self::SecurityKeyConfirmed,
        Self::SecurityKeyFailed,
        Self::SecurityKeyCloneWarning,
        Self::EmailVerified,
        Self::EmailChanged,
        Self::PasswordChanged,
        Self::PasswordResetRequested,
        Self::PasswordReset,
        Self::SessionEnded,
        Self::OtherSessionsEnded,
        Self::OperatorAction,
        Self::BrowserForgotten,
        Self::UpstreamSignIn,
        Self::ProviderConnected,
        Self::ProviderDisconnected,
        Self::PasswordRemoved,
        Self::SmsCodeSent,
        Self::SmsLimitReached,
        Self::SmsNumberSet,
        Self::SmsNumberRemoved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoggedIn => "logged_in",
            Self::LoginFailed => "login_failed",
            Self::TwoFactorEnabled => "two_factor_enabled",
            Self::TwoFactorDisabled => "two_factor_disabled",
            Self::CodesRevealed => "backup_codes_revealed",
            Self::CodesRegenerated => "backup_codes_regenerated",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::FailedCode => "failed_code",
            Self::Lockout => "lockout",
            Self::LoginLockout => "login_lockout",
            Self::TwoFactorResetByAdmin => "two_factor_reset_by_admin",
            Self::ApplicationAllowed => "application_allowed",
            Self::ApplicationRevoked => "application_revoked",
            Self::ApplicationTokenReused => "application_token_reused",
            Self::ApiTokenCreated => "api_token_created",
            Self::ApiTokenRevoked => "api_token_revoked",
            Self::AppPasswordCreated => "app_password_created",
            Self::AppPasswordRevoked => "app_password_revoked",
            Self::ApiAuthFailed => "api_auth_failed",
            Self::SecurityKeyAdded => "security_key_added",
            Self::SecurityKeyRenamed => "security_key_renamed",
            Self::SecurityKeyRemoved => "security_key_removed",
            Self::SecurityKeyUsed => "security_key_used",
            Self::SecurityKeyConfirmed => "security_key_confirmed",
            Self::SecurityKeyFailed => "security_key_failed",
            Self::SecurityKeyCloneWarning => "security_key_clone_warning",
            Self::EmailVerified => "email_verified",
            Self::EmailChanged => "email_changed",
            Self::PasswordChanged => "password_changed",
            Self::PasswordResetRequested => "password_reset_requested",
            Self::PasswordReset => "password_reset",
            Self::SessionEnded => "session_ended",
            Self::OtherSessionsEnded => "other_sessions_ended",
            Self::OperatorAction => "operator_action",
            Self::BrowserForgotten => "browser_forgotten",
            Self::UpstreamSignIn => "upstream_sign_in",
            Self::ProviderConnected => "provider_connected",
            Self::ProviderDisconnected => "provider_disconnected",
            Self::PasswordRemoved => "password_removed",
            Self::SmsCodeSent => "sms_code_sent",
            Self::SmsLimitReached => "sms_limit_reached",
            Self::SmsNumberSet => "sms_number_set",
            Self::SmsNumberRemoved => "sms_number_removed",
        }
    }
}

/// What happened in an organization, for its Audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditEvent {
    OrgCreated,
    TwoFactorRequired,
    TwoFactorNotRequired,
    MemberInvited,
    InvitationAccepted,
    InvitationDeclined,
    InvitationCancelled,
    /// Too many wrong invitation codes.
    InvitationVoided,
    MemberLeft,
    MemberRemoved,
    RoleChanged,
    MemberTwoFactorReset,
    ApplicationRegistered,
    ApplicationUpdated,
    ApplicationSecretRegenerated,
    ApplicationDisabled,
    ApplicationEnabled,
    ApplicationDeleted,
    ApiAccessAllowed,
    ApiAccessDisallowed,
    RememberedBrowsersAllowed,
    RememberedBrowsersForbidden,
    VerifiedEmailsRequired,
    VerifiedEmailsNotRequired,
    UpstreamMfaRequired,
    UpstreamMfaNotRequired,
    AllowedFactorsChanged,
}

impl AuditEvent {
    pub const ALL: [AuditEvent; 27] = [
        Self::OrgCreated,
        Self::TwoFactorRequired,
        Self::TwoFactorNotRequired,
        Self::MemberInvited,
        Self::InvitationAccepted,
        Self::InvitationDeclined,
        Self::InvitationCancelled,
        Self::InvitationVoided,
        Self::MemberLeft,
        Self::MemberRemoved,
        Self::RoleChanged,
        Self::MemberTwoFactorReset,
        Self::ApplicationRegistered,
        Self::ApplicationUpdated,
        Self::ApplicationSecretRegenerated,
        Self::ApplicationDisabled,
        Self::ApplicationEnabled,
        Self::ApplicationDeleted,
        Self::ApiAccessAllowed,
        Self::ApiAccessDisallowed,
        Self::RememberedBrowsersAllowed,
        Self::RememberedBrowsersForbidden,
        Self::VerifiedEmailsRequired,
        Self::VerifiedEmailsNotRequired,
        Self::UpstreamMfaRequired,
        Self::UpstreamMfaNotRequired,
        Self::AllowedFactorsChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrgCreated => "org_created",
            Self::TwoFactorRequired => "two_factor_required",
            Self::TwoFactorNotRequired => "two_factor_not_required",
            Self::MemberInvited => "member_invited",
            Self::InvitationAccepted => "invitation_accepted",
            Self::InvitationDeclined => "invitation_declined",
            Self::InvitationCancelled => "invitation_cancelled",
            Self::InvitationVoided => "invitation_voided",
            Self::MemberLeft => "member_left",
            Self::MemberRemoved => "member_removed",
            Self::RoleChanged => "role_changed",
            Self::MemberTwoFactorReset => "member_two_factor_reset",
            Self::ApplicationRegistered => "application_registered",
            Self::ApplicationUpdated => "application_updated",
            Self::ApplicationSecretRegenerated => "application_secret_regenerated",
            Self::ApplicationDisabled => "application_disabled",
            Self::ApplicationEnabled => "application_enabled",
            Self::ApplicationDeleted => "application_deleted",
            Self::ApiAccessAllowed => "api_access_allowed",
            Self::ApiAccessDisallowed => "api_access_disallowed",
            Self::RememberedBrowsersAllowed => "remembered_browsers_allowed",
            Self::RememberedBrowsersForbidden => "remembered_browsers_forbidden",
            Self::VerifiedEmailsRequired => "verified_emails_required",
            Self::VerifiedEmailsNotRequired => "verified_emails_not_required",
            Self::UpstreamMfaRequired => "upstream_mfa_required",
            Self::UpstreamMfaNotRequired => "upstream_mfa_not_required",
            Self::AllowedFactorsChanged => "allowed_factors_changed",
        }
    }
}

/// Where a request came from, for the log.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<std::net::IpAddr>,
    pub user_agent: Option<String>,
    /// The SHA-256 of the browser's own cookie (`store::browsers`), on the sign-in steps.
    pub browser: Option<String>,
}

/// Writes one row of the user's security log; pass the transaction of the
/// change it records, so that the two commit together.
pub async fn record<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    event: SecurityEvent,
    meta: &RequestMeta,
    now: i64,
) -> AppResult<()> {
    insert(db, "id", user_id, event, (meta, None), now).await?;
    tracing::info!(user_id, event = event.as_str(), "security event");
    Ok(())
}

/// `record`, with what the row is about (a provider's name).
pub async fn record_about<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    event: SecurityEvent,
    (meta, detail): (&RequestMeta, &str),
    now: i64,
) -> AppResult<()> {
    insert(db, "id", user_id, event, (meta, Some(detail)), now).await?;
    tracing::info!(user_id, event = event.as_str(), detail, "security event");
    Ok(())
}

/// Records `event` for the account with `email`, if there is one. One
/// statement either way, so a failed login does the same database work
/// whether or not the email is registered.
pub async fn record_for_email<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    email: &str,
    event: SecurityEvent,
    meta: &RequestMeta,
    now: i64,
) -> AppResult<()> {
    insert(db, "email", email.to_string(), event, (meta, None), now).await
}

/// Inserts the event for the user whose `column` is `key` (none when no user has it).
async fn insert<'c, K>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    column: &str,
    key: K,
    event: SecurityEvent,
    (meta, detail): (&RequestMeta, Option<&str>),
    now: i64,
) -> AppResult<()>
where
    K: 'static + Send + for<'q> sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    let user_agent = meta.user_agent.as_deref().map(|ua| ua.chars().take(300).collect::<String>());
    let sql = format!("INSERT INTO security_events (user_id, kind, ip, user_agent, created_at, detail) SELECT id, $2, $3, $4, $5, $6 FROM users WHERE {column} = $1");
    sqlx::query(&sql)
        .bind(key)
        .bind(event.as_str())
        .bind(meta.ip.map(|ip| ip.to_string()))
        .bind(user_agent)
        .bind(now)
        .bind(detail.map(str::to_string))
        .execute(db)
        .await?;
    crate::server::meters::security_event(event.as_str());
    Ok(())
}

/// One page of a user's events, newest first.
pub async fn page_for_user(db: &Db, user_id: i64, page: i64) -> AppResult<LogPage> {
    use sqlx::Row;
    let sql = "SELECT kind, ip, user_agent, created_at, detail FROM security_events WHERE user_id = $1 \
               ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3";
    crate::server::db::log_page(db, sql, user_id, page, |r| {
        let kind: String = r.try_get("kind")?;
        let user_agent: Option<String> = r.try_get("user_agent")?;
        Ok(LogEntry {
            at: r.try_get("created_at")?,
            what: event_label(&kind).to_string(),
            actor: None,
            detail: r.try_get::<Option<String>, _>("detail")?.unwrap_or_default(),
            ip: r.try_get("ip")?,
            browser: user_agent.as_deref().map(browser_label),
        })
    })
    .await
}
