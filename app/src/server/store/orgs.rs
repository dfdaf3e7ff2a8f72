//! Organizations and their memberships.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::ids::{OrgId, UserId};
use crate::error::{AppError, AppResult};
use crate::factors::{Kind, Kinds, OrgRule};
use crate::model::{OrgSummary, Role};
use crate::server::db::{is_unique_violation, Db};
use crate::server::refusals::{LastOwnerWrite, Refused};
use crate::server::store::events::AuditEvent;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

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
        two_factor_deadline: deadline(required, since, grace_days),
    })
}

/// When an organization's 2FA requirement starts refusing members without it.
fn deadline(required: i64, since: Option<i64>, grace_days: i64) -> Option<i64> {
    (required == 1).then(|| since.unwrap_or(0) + grace_days * 86_400)
}

/// The organization's 2FA rule (its deadline, `None` when 2FA is not
/// required, and its allowed kinds), whoever asks.
pub async fn two_factor_rule(db: &Db, org_id: i64) -> AppResult<OrgRule> {
    // One column per kind of factor allowed (`allowed_column`): a new kind adds its own.
    let row = sqlx::query(&format!(
        "SELECT require_two_factor, grace_days, required_since, {}, require_upstream_mfa FROM organizations WHERE id = $1",
        Kind::ALL.map(allowed_column).join(", ")
    ))
    .bind(org_id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(OrgRule { deadline: None, allowed: Kinds::ALL, upstream_needs_mfa: false }) };
    Ok(OrgRule {
        deadline: deadline(
            row.try_get("require_two_factor")?,
            row.try_get("required_since")?,
            row.try_get("grace_days")?,
        ),
        allowed: allowed_from(&row)?,
        upstream_needs_mfa: row.try_get::<i64, _>("require_upstream_mfa")? != 0,
    })
}

/// Which kinds the organization allows: one column per kind.
fn allowed_column(kind: Kind) -> &'static str {
    match kind {
        Kind::App => "allow_totp",
        Kind::SecurityKey => "allow_webauthn",
        Kind::Sms => "allow_sms",
    }
}

fn allowed_from(row: &AnyRow) -> Result<Kinds, sqlx::Error> {
    Kind::ALL
        .into_iter()
        .try_fold(Kinds::NONE, |kinds, kind| Ok(kinds.with_if(kind, row.try_get::<i64, _>(allowed_column(kind))? == 1)))
}

/// Creates the organization with `owner_id` as its first owner, inside the
/// caller's transaction (which writes the audit row with it).
pub async fn create(tx: &mut Tx, owner_id: i64, name: &str, slug: &str, now: i64) -> AppResult<OrgSummary> {
    let inserted = sqlx::query("INSERT INTO organizations (name, slug, created_at) VALUES ($1, $2, $3) RETURNING id")
        .bind(name)
        .bind(slug)
        .bind(now)
        .fetch_one(&mut **tx)
        .await;
    let id: i64 = match inserted {
        Ok(row) => row.try_get("id")?,
        Err(e) if is_unique_violation(&e) => return Err(Refused::SlugTaken { slug: slug.to_string() }.into()),
        Err(e) => return Err(e.into()),
    };
    sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)")
        .bind(id)
        .bind(owner_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
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

/// A member as stored: who, with which role, holding which second factors.
pub struct MemberRow {
    pub user_id: i64,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub held: Kinds,
    pub has_password: bool,
}

impl MemberRow {
    pub fn account(&self) -> crate::factors::Account {
        crate::factors::Account { held: self.held, has_password: self.has_password }
    }
}

/// Every member, by name (`flows::members` decides who sees what of it).
pub async fn members(db: &Db, org_id: i64) -> AppResult<Vec<MemberRow>> {
    let rows = sqlx::query(&format!(
        "SELECT u.id, u.name, u.email, m.role, {}, CAST(CASE WHEN u.password_hash <> '' THEN 1 ELSE 0 END AS BIGINT) \
         AS has_password FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.org_id = $1 ORDER BY u.name, u.id",
        crate::server::store::credentials::held_columns_sql("u.id")
    ))
    .bind(org_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(MemberRow {
                user_id: row.try_get("id")?,
                name: row.try_get("name")?,
                email: row.try_get("email")?,
                role: role_from(row.try_get("role")?)?,
                held: crate::server::store::credentials::held_from_row(row)?,
                has_password: row.try_get::<i64, _>("has_password")? == 1,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(AppError::from)
}

pub async fn role_of(db: &Db, OrgId(org_id): OrgId, UserId(user_id): UserId) -> AppResult<Option<Role>> {
    let row = sqlx::query("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| r.try_get::<String, _>("role").and_then(role_from)).transpose()?)
}

/// Writes a membership directly: only for the operator's `portcullis demo` seed.
/// People join by accepting an invitation (`crate::server::store::invitations`).
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
        Err(e) if is_unique_violation(&e) => Err(Refused::AlreadyMember { email: None }.into()),
        Err(e) => Err(e.into()),
    }
}

/// Adds the membership an accepted invitation grants; an existing one stays as it is.
pub async fn join(tx: &mut Tx, org_id: i64, user_id: i64, role: Role, now: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id, user_id) DO NOTHING",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The member's role, read in the caller's transaction (after `lock`).
pub async fn role_of_in(tx: &mut Tx, org_id: i64, user_id: i64) -> AppResult<Option<Role>> {
    let row = sqlx::query("SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.try_get::<String, _>("role")).transpose()?.map(role_from).transpose()?)
}

/// Makes the account an owner: a new membership, or a raised role.
pub async fn make_owner(tx: &mut Tx, org_id: i64, user_id: i64, now: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3) \
         ON CONFLICT (org_id, user_id) DO UPDATE SET role = 'owner'",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn slug_of(tx: &mut Tx, org_id: i64) -> AppResult<String> {
    let row = sqlx::query("SELECT slug FROM organizations WHERE id = $1").bind(org_id).fetch_one(&mut **tx).await?;
    Ok(row.try_get("slug")?)
}

/// The member's role and how many owners the organization has; read under its lock.
pub async fn role_and_owner_count(
    tx: &mut Tx,
    OrgId(org_id): OrgId,
    UserId(user_id): UserId,
) -> AppResult<Option<(Role, i64)>> {
    let row = sqlx::query(
        "SELECT m.role, (SELECT COUNT(*) FROM memberships o WHERE o.org_id = $1 AND o.role = 'owner') AS owners \
         FROM memberships m WHERE m.org_id = $1 AND m.user_id = $2",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some((role_from(row.try_get("role")?)?, row.try_get("owners")?)))
}

pub async fn leave(tx: &mut Tx, org_id: i64, user_id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
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

/// Why a write made under `AS_CHECKED` changed no row (read after its rollback).
pub async fn why_unchanged(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    expected: Role,
    write: LastOwnerWrite,
) -> AppResult<Refused> {
    let mine = role_of(db, OrgId(actor.org_id), UserId(actor.user_id)).await?;
    let theirs = role_of(db, OrgId(actor.org_id), UserId(user_id)).await?;
    Ok(match (mine, theirs) {
        (mine, _) if mine != Some(actor.role) => Refused::YourRoleChanged,
        (_, None) => Refused::NotAMember,
        (_, Some(role)) if role != expected => Refused::TheirRoleChanged,
        _ => Refused::LastOwner(write),
    })
}

/// Changes the role of `user_id`, who had `expected` when the actor's right
/// was checked, provided both roles are still as checked and an owner
/// remains; false when no row changed. Lock the organization first.
pub async fn set_role_as_checked(
    tx: &mut Tx,
    actor: &Actor,
    user_id: i64,
    expected: Role,
    role: Role,
) -> AppResult<bool> {
    let keeps = if role == Role::Owner { String::new() } else { format!(" AND {KEEPS_AN_OWNER}") };
    let sql = format!("UPDATE memberships SET role = $6 WHERE org_id = $1 AND user_id = $2 AND {AS_CHECKED}{keeps}");
    let done = as_checked(&sql, actor, user_id, expected).bind(role.as_str()).execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

/// Removes `user_id` under the same conditions as `set_role_as_checked`.
pub async fn remove_as_checked(tx: &mut Tx, actor: &Actor, user_id: i64, expected: Role) -> AppResult<bool> {
    let sql =
        format!("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2 AND {AS_CHECKED} AND {KEEPS_AN_OWNER}");
    let done = as_checked(&sql, actor, user_id, expected).execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

fn as_checked<'q>(
    sql: &'q str,
    actor: &Actor,
    user_id: i64,
    expected: Role,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(sql)
        .bind(actor.org_id)
        .bind(user_id)
        .bind(expected.as_str())
        .bind(actor.user_id)
        .bind(actor.role.as_str())
}

/// True when `user_id` is an owner or admin of an organization other than `org_id`.
pub async fn manages_another_org(db: &Db, UserId(user_id): UserId, OrgId(org_id): OrgId) -> AppResult<bool> {
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

/// Names of the organizations of `user_id` that require 2FA.
pub async fn requiring_two_factor<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
) -> AppResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT o.name FROM organizations o JOIN memberships m ON m.org_id = o.id \
         WHERE m.user_id = $1 AND o.require_two_factor = 1 ORDER BY o.name",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(|r| r.try_get("name")).collect::<Result<_, _>>()?)
}

/// The organization's "Allowed second factors".
pub async fn allowed_factors<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, org_id: i64) -> AppResult<Kinds> {
    let columns = Kind::ALL.map(allowed_column).join(", ");
    let row =
        sqlx::query(&format!("SELECT {columns} FROM organizations WHERE id = $1")).bind(org_id).fetch_one(db).await?;
    Ok(allowed_from(&row)?)
}

/// Writes "Allowed second factors" if they are still `from` (what the decision
/// was made on); false when another change came first.
pub async fn set_allowed_factors<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    org_id: i64,
    (from, to): (Kinds, Kinds),
) -> AppResult<bool> {
    // $1: the organization; then each kind's new value, then its expected one.
    let n = Kind::ALL.len();
    let set: Vec<String> =
        Kind::ALL.iter().enumerate().map(|(i, k)| format!("{} = ${}", allowed_column(*k), i + 2)).collect();
    let expected: Vec<String> =
        Kind::ALL.iter().enumerate().map(|(i, k)| format!("{} = ${}", allowed_column(*k), i + 2 + n)).collect();
    let sql = format!("UPDATE organizations SET {} WHERE id = $1 AND {}", set.join(", "), expected.join(" AND "));
    let mut query = sqlx::query(&sql).bind(org_id);
    for kind in Kind::ALL {
        query = query.bind(i64::from(to.contains(kind)));
    }
    for kind in Kind::ALL {
        query = query.bind(i64::from(from.contains(kind)));
    }
    Ok(query.execute(db).await?.rows_affected() == 1)
}

/// Writes one row of the organization's audit log; pass the transaction of
/// the change it records, so that the two commit together.
pub async fn audit<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    org_id: i64,
    actor_id: Option<i64>,
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

/// The same audit row in every organization `member_id` belongs to.
pub async fn audit_every_org_of(
    tx: &mut Tx,
    member_id: i64,
    actor_id: i64,
    kind: AuditEvent,
    detail: &str,
    now: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (org_id, actor_id, kind, detail, created_at) \
         SELECT org_id, $2, $3, $4, $5 FROM memberships WHERE user_id = $1",
    )
    .bind(member_id)
    .bind(actor_id)
    .bind(kind.as_str())
    .bind(detail)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One page of the organization's audit log, newest first.
pub async fn audit_page(db: &Db, org_id: i64, page: i64) -> AppResult<crate::model::LogPage> {
    use crate::model::LogEntry;
    use crate::server::words::labels::event_label;
    let sql = "SELECT a.kind, a.detail, a.created_at, u.name AS actor FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id \
               WHERE a.org_id = $1 ORDER BY a.created_at DESC, a.id DESC LIMIT $2 OFFSET $3";
    crate::server::db::log_page(db, sql, org_id, page, |r| {
        let kind: String = r.try_get("kind")?;
        Ok(LogEntry {
            at: r.try_get("created_at")?,
            what: event_label(&kind).to_string(),
            actor: r.try_get("actor")?,
            detail: crate::server::words::audit::detail(&kind, &r.try_get::<String, _>("detail")?),
            ip: None,
            browser: None,
        })
    })
    .await
}
