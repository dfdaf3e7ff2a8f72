//! The security event log: what happened to an account, when, from where.

use super::db::Db;
use crate::error::AppResult;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityEvent {
    TwoFactorEnabled,
    TwoFactorDisabled,
    CodesRevealed,
    CodesRegenerated,
    RecoveryCodeUsed,
    FailedCode,
    Lockout,
    TwoFactorResetByAdmin,
}

impl SecurityEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TwoFactorEnabled => "two_factor_enabled",
            Self::TwoFactorDisabled => "two_factor_disabled",
            Self::CodesRevealed => "backup_codes_revealed",
            Self::CodesRegenerated => "backup_codes_regenerated",
            Self::RecoveryCodeUsed => "recovery_code_used",
            Self::FailedCode => "failed_code",
            Self::Lockout => "lockout",
            Self::TwoFactorResetByAdmin => "two_factor_reset_by_admin",
        }
    }
}

/// Where a request came from, for the log.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<std::net::IpAddr>,
    pub user_agent: Option<String>,
}

pub async fn record(db: &Db, user_id: i64, event: SecurityEvent, meta: &RequestMeta, now: i64) -> AppResult<()> {
    let user_agent = meta.user_agent.as_deref().map(|ua| ua.chars().take(300).collect::<String>());
    sqlx::query("INSERT INTO security_events (user_id, kind, ip, user_agent, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(user_id)
        .bind(event.as_str())
        .bind(meta.ip.map(|ip| ip.to_string()))
        .bind(user_agent)
        .bind(now)
        .execute(db)
        .await?;
    tracing::info!(user_id, event = event.as_str(), "security event");
    Ok(())
}

pub async fn kinds_for_user(db: &Db, user_id: i64) -> AppResult<Vec<String>> {
    use sqlx::Row;
    let rows = sqlx::query("SELECT kind FROM security_events WHERE user_id = $1 ORDER BY id").bind(user_id).fetch_all(db).await?;
    Ok(rows.iter().map(|r| r.try_get("kind")).collect::<Result<_, _>>()?)
}
