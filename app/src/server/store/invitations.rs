//! Invitations (to an email address, which no account needs to use yet):
//! the queries. The use cases that send, answer, cancel them and leave an
//! organization are in `flows::invitations`.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::error::AppResult;
use crate::model::{Invitation, PendingInvitation, Role, INVITATION_DAYS};
use crate::policy;
use crate::server::db::Db;

type Tx = Transaction<'static, Any>;

fn role_from(s: String) -> Result<Role, sqlx::Error> {
    s.parse().map_err(|e: String| sqlx::Error::Decode(e.into()))
}

/// True when an account with `email` is a member of the organization.
pub async fn is_member_email(tx: &mut Tx, org_id: i64, email: &str) -> AppResult<bool> {
    let member = sqlx::query(
        "SELECT 1 AS one FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND u.email = $2",
    )
    .bind(org_id)
    .bind(email)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(member.is_some())
}

/// The role of the invitation pending for `email`, if any.
pub async fn pending_role(tx: &mut Tx, org_id: i64, email: &str) -> AppResult<Option<Role>> {
    let row = sqlx::query("SELECT role FROM invitations WHERE org_id = $1 AND email = $2")
        .bind(org_id)
        .bind(email)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|r| r.try_get("role").and_then(role_from)).transpose()?)
}

/// What an invitation is sent with: the invited role, who sends it, the hash of its code.
pub struct NewInvitation<'a> {
    pub role: Role,
    pub invited_by: i64,
    pub code_hash: &'a str,
}

/// Sends, or renews (with a new code), the invitation of `email` to the organization.
pub async fn upsert(tx: &mut Tx, org_id: i64, email: &str, new: &NewInvitation<'_>, now: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO invitations (org_id, email, role, invited_by, created_at, expires_at, code_hash, failed_attempts) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0) \
         ON CONFLICT (org_id, email) DO UPDATE SET role = excluded.role, invited_by = excluded.invited_by, \
         created_at = excluded.created_at, expires_at = excluded.expires_at, code_hash = excluded.code_hash, \
         failed_attempts = 0",
    )
    .bind(org_id)
    .bind(email)
    .bind(new.role.as_str())
    .bind(new.invited_by)
    .bind(now)
    .bind(now + INVITATION_DAYS * 86_400)
    .bind(new.code_hash)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Counts a wrong code on the invitation `id` to `email`; returns the count
/// (`None`: no such invitation).
pub async fn count_failure(tx: &mut Tx, id: i64, email: &str) -> AppResult<Option<(i64, i64)>> {
    let row = sqlx::query(
        "UPDATE invitations SET failed_attempts = failed_attempts + 1 WHERE id = $1 AND email = $2 \
         RETURNING failed_attempts, org_id",
    )
    .bind(id)
    .bind(email)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| Ok::<_, sqlx::Error>((r.try_get("failed_attempts")?, r.try_get("org_id")?))).transpose()?)
}

/// The invitations to `email`, newest first, expired ones included (marked).
pub async fn for_invitee(db: &Db, email: &str, now: i64) -> AppResult<Vec<Invitation>> {
    let rows = sqlx::query(
        "SELECT i.id, o.name AS org_name, o.slug, u.name AS inviter, i.role, i.expires_at FROM invitations i \
         JOIN organizations o ON o.id = i.org_id LEFT JOIN users u ON u.id = i.invited_by \
         WHERE i.email = $1 ORDER BY i.created_at DESC, i.id DESC",
    )
    .bind(email)
    .fetch_all(db)
    .await?;
    let invitation = |r: &AnyRow| -> Result<Invitation, sqlx::Error> {
        let expires_at: i64 = r.try_get("expires_at")?;
        Ok(Invitation {
            id: r.try_get("id")?,
            org_name: r.try_get("org_name")?,
            org_slug: r.try_get("slug")?,
            inviter: r.try_get("inviter")?,
            role: role_from(r.try_get("role")?)?,
            expires_at,
            expired: policy::may_accept_invitation(expires_at, now).is_err(),
        })
    };
    Ok(rows.iter().map(invitation).collect::<Result<_, _>>()?)
}

/// The organization's invitations, for its owners and admins.
pub async fn for_org(db: &Db, org_id: i64, now: i64) -> AppResult<Vec<PendingInvitation>> {
    let rows = sqlx::query(
        "SELECT i.id, i.email, i.role, u.name AS inviter, i.expires_at FROM invitations i LEFT JOIN users u ON u.id = i.invited_by \
         WHERE i.org_id = $1 ORDER BY i.email, i.id",
    )
    .bind(org_id)
    .fetch_all(db)
    .await?;
    let pending = |r: &AnyRow| -> Result<PendingInvitation, sqlx::Error> {
        let expires_at: i64 = r.try_get("expires_at")?;
        Ok(PendingInvitation {
            id: r.try_get("id")?,
            email: r.try_get("email")?,
            role: role_from(r.try_get("role")?)?,
            inviter: r.try_get("inviter")?,
            expires_at,
            expired: policy::may_accept_invitation(expires_at, now).is_err(),
        })
    };
    Ok(rows.iter().map(pending).collect::<Result<_, _>>()?)
}

/// An invitation taken out of the table by the one request that answered it.
pub struct Taken {
    pub org_id: i64,
    pub email: String,
    pub role: Role,
    pub expires_at: i64,
    /// `None` for an invitation sent before invitations had codes.
    pub code_hash: Option<String>,
}

fn taken(row: &AnyRow) -> Result<Taken, sqlx::Error> {
    Ok(Taken {
        org_id: row.try_get("org_id")?,
        email: row.try_get("email")?,
        role: role_from(row.try_get("role")?)?,
        expires_at: row.try_get("expires_at")?,
        code_hash: row.try_get("code_hash")?,
    })
}

/// Takes the invitation `id` if it was sent to `email`: the delete comes
/// first, so of two concurrent answers one wins; a rollback puts it back.
pub async fn take_for_invitee(tx: &mut Tx, id: i64, email: &str) -> AppResult<Option<Taken>> {
    take(tx, "email = $2", id, email.to_string()).await
}

/// Takes the invitation `id` of the organization `org_id`.
pub async fn take_for_org(tx: &mut Tx, id: i64, org_id: i64) -> AppResult<Option<Taken>> {
    take(tx, "org_id = $2", id, org_id).await
}

async fn take<K>(tx: &mut Tx, condition: &str, id: i64, key: K) -> AppResult<Option<Taken>>
where
    K: 'static + Send + for<'q> sqlx::Encode<'q, Any> + sqlx::Type<Any>,
{
    let sql = format!(
        "DELETE FROM invitations WHERE id = $1 AND {condition} RETURNING org_id, email, role, expires_at, code_hash"
    );
    let row = sqlx::query(&sql).bind(id).bind(key).fetch_optional(&mut **tx).await?;
    Ok(row.as_ref().map(taken).transpose()?)
}

/// Whether an organization has a pending (unexpired) invitation for the address.
pub async fn is_invited(db: &Db, email: &str, now: i64) -> AppResult<bool> {
    let row = sqlx::query("SELECT 1 AS one FROM invitations WHERE email = $1 AND expires_at > $2 LIMIT 1")
        .bind(email)
        .bind(now)
        .fetch_optional(db)
        .await?;
    Ok(row.is_some())
}
