//! Organizations and their memberships.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::db::{is_unique_violation, Db};
use super::events::AuditEvent;
use crate::error::{AppError, AppResult};
use crate::model::{Member, OrgSummary, Role};

fn role_from(s: String) -> Result<Role, sqlx::Error> {
    s.parse().map_err(|e: String| sqlx::Error::Decode(e.into()))
}

fn summary_from_row(row: &AnyRow) -> Result<OrgSummary, sqlx::Error> {
    let required: i64 = row.try_get("require_two_factor")?;
    let since: Option<i64> = row.try_get("required_since")?;
    let grace_days: i64 = row.try_get("grace_days")?;
    Ok(OrgSummary {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        slug: row.try_get("slug")?,
        my_role: role_from(row.try_get("role")?)?,
        two_factor_deadline: (required == 1).then(|| since.unwrap_or(0) + grace_days * 86_400),
    })
}

/// Creates the organization with `owner_id` as its first owner, in one transaction.
pub async fn create(db: &Db, owner_id: i64, name: &str, slug: &str, now: i64) -> AppResult<OrgSummary> {
    let mut tx = db.begin().await?;
    let inserted = sqlx::query("INSERT INTO organizations (name, slug, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(name)
        .bind(slug)
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
    let id: i64 = match inserted {
        Ok(row) => row.try_get("id")?,
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::validation("slug", format!("The address \"{slug}\" is taken. Choose another.")));
        }
        Err(e) => return Err(e.into()),
    };
    sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)")
        .bind(id)
        .bind(owner_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(OrgSummary {
        id,
        name: name.to_string(),
        slug: slug.to_string(),
        my_role: Role::Owner,
        two_factor_deadline: None,
    })
}

/// Organizations with the role of the member `$1`.
const ORGS_OF_MEMBER: &str =
    "SELECT o.id, o.name, o.slug, m.role, o.require_two_factor, o.grace_days, o.required_since \
     FROM organizations o JOIN memberships m ON m.org_id = o.id WHERE m.user_id = $1";

pub async fn list_for_user(db: &Db, user_id: i64) -> AppResult<Vec<OrgSummary>> {
    let rows = sqlx::query(&format!("{ORGS_OF_MEMBER} ORDER BY o.name, o.id")).bind(user_id).fetch_all(db).await?;
    Ok(rows.iter().map(summary_from_row).collect::<Result<_, _>>()?)
}

/// The organization `slug` as `user_id` sees it; `None` when it does not exist
/// or the user is not a member (the two are indistinguishable on purpose).
pub async fn find_for_member(db: &Db, slug: &str, user_id: i64) -> AppResult<Option<OrgSummary>> {
    let row =
        sqlx::query(&format!("{ORGS_OF_MEMBER} AND o.slug = $2")).bind(user_id).bind(slug).fetch_optional(db).await?;
    Ok(row.as_ref().map(summary_from_row).transpose()?)
}

/// The members. `manager_view` (owners and admins only) adds emails and each one's 2FA status.
pub async fn members(db: &Db, org_id: i64, manager_view: bool) -> AppResult<Vec<Member>> {
    let rows = sqlx::query(
        "SELECT u.id, u.name, u.email, m.role, CAST(CASE WHEN t.user_id IS NULL THEN 0 ELSE 1 END AS BIGINT) AS has_2fa \
         FROM memberships m JOIN users u ON u.id = m.user_id LEFT JOIN totp_credentials t ON t.user_id = u.id \
         WHERE m.org_id = $1 ORDER BY u.name, u.id",
    )
    .bind(org_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Member {
                user_id: row.try_get("id")?,
                name: row.try_get("name")?,
                email: if manager_view { Some(row.try_get("email")?) } else { None },
                role: role_from(row.try_get("role")?)?,
                two_factor: if manager_view { Some(row.try_get::<i64, _>("has_2fa")? == 1) } else { None },
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

pub async fn role_of(db: &Db, org_id: i64, user_id: i64) -> AppResult<Option<Role>> {
    let row = sqlx::query("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| r.try_get::<String, _>("role").and_then(role_from)).transpose()?)
}

/// Writes a membership directly: only for the operator's `portcullis demo` seed.
/// People join by accepting an invitation (`super::invitations`).
pub async fn add_member(db: &Db, org_id: i64, user_id: i64, role: Role, now: i64) -> AppResult<()> {
    let done = sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
        .bind(org_id)
        .bind(user_id)
        .bind(role.as_str())
        .bind(now)
        .execute(db)
        .await;
    match done {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(AppError::validation("email", "That person is already a member.")),
        Err(e) => Err(e.into()),
    }
}

// The owner-count condition sits inside the one statement, and every
// membership write first locks its organization's row (`lock`), so that two
// managers demoting the last two owners at once cannot both succeed, on
// SQLite and on PostgreSQL's READ COMMITTED alike.
const KEEPS_AN_OWNER: &str =
    "(role <> 'owner' OR (SELECT COUNT(*) FROM memberships o WHERE o.org_id = $1 AND o.role = 'owner') > 1)";

/// The target still has the role `$3` that was checked, and the actor `$4`
/// still holds the role `$5` that was checked: a write decided on a stale
/// reading of either changes nothing.
const AS_CHECKED: &str =
    "role = $3 AND EXISTS (SELECT 1 FROM memberships a WHERE a.org_id = $1 AND a.user_id = $4 AND a.role = $5)";

/// Who changes a membership: a member of `org_id` whose role was checked.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub org_id: i64,
    pub user_id: i64,
    pub role: Role,
}

/// Serializes the membership writes of one organization (a row lock on
/// PostgreSQL, the write lock on SQLite), held until the transaction ends.
pub async fn lock(conn: &mut sqlx::AnyConnection, org_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE organizations SET id = id WHERE id = $1").bind(org_id).execute(conn).await?;
    Ok(())
}

/// Why a write made under `AS_CHECKED` changed no row.
async fn why_unchanged(db: &Db, actor: &Actor, user_id: i64, expected: Role, otherwise: &str) -> AppError {
    let current = |id| async move { role_of(db, actor.org_id, id).await };
    match (current(actor.user_id).await, current(user_id).await) {
        (Err(e), _) | (_, Err(e)) => e,
        (Ok(mine), _) if mine != Some(actor.role) => {
            AppError::conflict("Your role in this organization has just changed. Reload the page and try again.")
        }
        (_, Ok(None)) => AppError::not_found("That person is not a member of this organization."),
        (_, Ok(Some(role))) if role != expected => {
            AppError::conflict("That member's role has just changed. Reload the page and try again.")
        }
        _ => AppError::conflict(otherwise.to_string()),
    }
}

/// Changes the role of `user_id`, who had `expected` when the actor's right
/// was checked, and writes the audit row with it; refuses to leave the
/// organization without an owner.
pub async fn set_role(db: &Db, actor: &Actor, user_id: i64, expected: Role, role: Role, now: i64) -> AppResult<()> {
    let keeps = if role == Role::Owner { String::new() } else { format!(" AND {KEEPS_AN_OWNER}") };
    let sql = format!("UPDATE memberships SET role = $6 WHERE org_id = $1 AND user_id = $2 AND {AS_CHECKED}{keeps}");
    let write = CheckedWrite {
        sql: &sql,
        new_role: Some(role),
        last_owner: "An organization needs at least one owner: make someone else an owner first.",
    };
    let detail = format!("user {user_id}: {} to {}", expected.as_str(), role.as_str());
    write.run(db, actor, user_id, expected, (AuditEvent::RoleChanged, &detail), now).await
}

/// Removes `user_id`, who had `expected` when the actor's right was checked,
/// with its audit row; the last owner stays.
pub async fn remove_member(db: &Db, actor: &Actor, user_id: i64, expected: Role, now: i64) -> AppResult<()> {
    let sql =
        format!("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2 AND {AS_CHECKED} AND {KEEPS_AN_OWNER}");
    let write = CheckedWrite {
        sql: &sql,
        new_role: None,
        last_owner: "The last owner cannot be removed: make someone else an owner first.",
    };
    write.run(db, actor, user_id, expected, (AuditEvent::MemberRemoved, &format!("user {user_id}")), now).await
}

/// A membership write under `AS_CHECKED` (`$6` the new role, if any).
struct CheckedWrite<'a> {
    sql: &'a str,
    new_role: Option<Role>,
    /// Why it failed when the roles were still as checked.
    last_owner: &'a str,
}

impl CheckedWrite<'_> {
    /// The write and its audit row, in one transaction under the organization's lock.
    async fn run(
        &self,
        db: &Db,
        actor: &Actor,
        user_id: i64,
        expected: Role,
        (kind, detail): (AuditEvent, &str),
        now: i64,
    ) -> AppResult<()> {
        let mut tx = db.begin().await?;
        lock(&mut tx, actor.org_id).await?;
        let mut query = sqlx::query(self.sql)
            .bind(actor.org_id)
            .bind(user_id)
            .bind(expected.as_str())
            .bind(actor.user_id)
            .bind(actor.role.as_str());
        if let Some(role) = self.new_role {
            query = query.bind(role.as_str());
        }
        if query.execute(&mut *tx).await?.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(why_unchanged(db, actor, user_id, expected, self.last_owner).await);
        }
        audit(&mut *tx, actor.org_id, actor.user_id, kind, detail, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// True when `user_id` is an owner or admin of an organization other than `org_id`.
pub async fn manages_another_org(db: &Db, user_id: i64, org_id: i64) -> AppResult<bool> {
    let row = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM memberships WHERE user_id = $1 AND org_id <> $2 AND {MANAGER_ROLE}"
    ))
    .bind(user_id)
    .bind(org_id)
    .fetch_one(db)
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

const MANAGER_ROLE: &str = "role IN ('owner', 'admin')";

/// The 2FA requirement: (required, grace days).
pub async fn two_factor_policy(db: &Db, org_id: i64) -> AppResult<(bool, i64)> {
    let row = sqlx::query("SELECT require_two_factor, grace_days FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_one(db)
        .await?;
    Ok((row.try_get::<i64, _>("require_two_factor")? == 1, row.try_get("grace_days")?))
}

/// Switches the requirement; the grace period starts now when switched on.
/// Only if it still is `expected` (what the decision to allow it was based
/// on): false when someone changed it meanwhile.
pub async fn set_two_factor_policy(
    db: impl sqlx::Executor<'_, Database = sqlx::Any>,
    org_id: i64,
    expected: (bool, i64),
    required: bool,
    grace_days: i64,
    now: i64,
) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE organizations SET require_two_factor = $1, grace_days = $2, \
         required_since = CASE WHEN $1 = 1 AND require_two_factor = 1 THEN required_since WHEN $1 = 1 THEN $3 ELSE NULL END \
         WHERE id = $4 AND require_two_factor = $5 AND grace_days = $6",
    )
    .bind(i64::from(required))
    .bind(grace_days)
    .bind(now)
    .bind(org_id)
    .bind(i64::from(expected.0))
    .bind(expected.1)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Owners of the organization without 2FA, as "Name (email)".
pub async fn owners_without_two_factor(db: &Db, org_id: i64) -> AppResult<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT u.id, u.name, u.email FROM memberships m JOIN users u ON u.id = m.user_id \
         LEFT JOIN totp_credentials t ON t.user_id = u.id WHERE m.org_id = $1 AND m.role = 'owner' AND t.user_id IS NULL ORDER BY u.name",
    )
    .bind(org_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                format!("{} ({})", r.try_get::<String, _>("name")?, r.try_get::<String, _>("email")?),
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

/// Names of the organizations of `user_id` that require 2FA.
pub async fn requiring_two_factor(db: &Db, user_id: i64) -> AppResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT o.name FROM organizations o JOIN memberships m ON m.org_id = o.id \
         WHERE m.user_id = $1 AND o.require_two_factor = 1 ORDER BY o.name",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(|r| r.try_get("name")).collect::<Result<_, _>>()?)
}

/// Writes one row of the organization's audit log; pass the transaction of
/// the change it records, so that the two commit together.
pub async fn audit<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    org_id: i64,
    actor_id: i64,
    kind: AuditEvent,
    detail: &str,
    now: i64,
) -> AppResult<()> {
    sqlx::query("INSERT INTO audit_events (org_id, actor_id, kind, detail, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(org_id)
        .bind(actor_id)
        .bind(kind.as_str())
        .bind(detail)
        .bind(now)
        .execute(db)
        .await?;
    Ok(())
}

/// One page of the organization's audit log, newest first.
pub async fn audit_page(db: &Db, org_id: i64, page: i64) -> AppResult<crate::model::LogPage> {
    use super::labels::event_label;
    use crate::model::LogEntry;
    let sql = "SELECT a.kind, a.detail, a.created_at, u.name AS actor FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id \
               WHERE a.org_id = $1 ORDER BY a.created_at DESC, a.id DESC LIMIT $2 OFFSET $3";
    super::db::log_page(db, sql, org_id, page, |r| {
        let kind: String = r.try_get("kind")?;
        Ok(LogEntry {
            at: r.try_get("created_at")?,
            what: event_label(&kind).to_string(),
            actor: r.try_get("actor")?,
            detail: r.try_get("detail")?,
            ip: None,
            browser: None,
        })
    })
    .await
}
