//! An owner's or admin's reset of a member's two-factor authentication (a
//! lost phone): narrow (policy::may_reset_two_factor, checked again inside
//! the write) and loud (the member's notice and security log, and the audit
//! log of every organization they belong to), all in one transaction.

use super::events::{self, AuditEvent, RequestMeta, SecurityEvent};
use super::orgs::{self, Actor};
use super::AppState;
use crate::error::{AppError, AppResult};
use crate::model::{format_date, OrgSummary, Role, User};

/// The reset as it was authorized: who, through which organization, whom,
/// and the target's role at the time of the check.
pub struct Reset<'a> {
    pub actor: &'a User,
    pub org: &'a OrgSummary,
    pub target_id: i64,
    pub target_role: Role,
}

/// Disables the target's 2FA, ends their sessions and tells them, provided
/// that the actor and the target still hold the roles that were checked and
/// the target still manages no other organization.
// `skip_all`: the request metadata identifies people.
#[tracing::instrument(skip_all)]
pub async fn reset(state: &AppState, reset: &Reset<'_>, meta: &RequestMeta) -> AppResult<()> {
    let Reset { actor, org, target_id, target_role } = *reset;
    let checked = Actor { org_id: org.id, user_id: actor.id, role: org.my_role };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    orgs::lock(&mut tx, org.id).await?;
    let removed = sqlx::query(
        "DELETE FROM totp_credentials WHERE user_id = $2 \
         AND EXISTS (SELECT 1 FROM memberships t WHERE t.org_id = $1 AND t.user_id = $2 AND t.role = $3) \
         AND EXISTS (SELECT 1 FROM memberships a WHERE a.org_id = $1 AND a.user_id = $4 AND a.role = $5) \
         AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.user_id = $2 AND o.org_id <> $1 AND o.role IN ('owner', 'admin'))",
    )
    .bind(org.id)
    .bind(target_id)
    .bind(target_role.as_str())
    .bind(checked.user_id)
    .bind(checked.role.as_str())
    .execute(&mut *tx)
    .await?;
    if removed.rows_affected() != 1 {
        tx.rollback().await?;
        return Err(AppError::conflict(
            "That member's roles or two-factor authentication changed while you were resetting it. Reload the page and try again.",
        ));
    }
    sqlx::query("DELETE FROM backup_codes WHERE user_id = $1").bind(target_id).execute(&mut *tx).await?;
    // A lost phone may be a stolen one: its sessions end too, the member logs in again.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(target_id).execute(&mut *tx).await?;
    let role = if org.my_role == Role::Owner { "an owner" } else { "an admin" };
    let required =
        if org.two_factor_deadline.is_some() { format!(": {} requires it", org.name) } else { String::new() };
    let notice = format!(
        "{} ({}), {role} of {}, reset your two-factor authentication on {}. Set it up again on your Account page{required}. \
         If you did not ask for this, tell the owners of your organizations.",
        actor.name,
        actor.email,
        org.name,
        format_date(now),
    );
    sqlx::query("UPDATE users SET notice = $1 WHERE id = $2").bind(&notice).bind(target_id).execute(&mut *tx).await?;
    events::record(&mut *tx, target_id, SecurityEvent::TwoFactorResetByAdmin, meta, now).await?;
    // Every organization of the member learns of it, not only the one it came through.
    let detail = format!("user {target_id}, through {}", org.name);
    sqlx::query(
        "INSERT INTO audit_events (org_id, actor_id, kind, detail, created_at) \
         SELECT org_id, $2, $3, $4, $5 FROM memberships WHERE user_id = $1",
    )
    .bind(target_id)
    .bind(actor.id)
    .bind(AuditEvent::MemberTwoFactorReset.as_str())
    .bind(&detail)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
