//! Membership by consent: invitations (to an email address, which no account
//! needs to use yet) that the invitee accepts or declines, and leaving.
//! Every change commits in one transaction with its audit row.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::db::Db;
use super::events::AuditEvent;
use crate::error::{AppError, AppResult};
use crate::model::{Invitation, PendingInvitation, Role, User, INVITATION_DAYS};
use crate::policy;

type Tx = Transaction<'static, Any>;

const NOT_YOURS: &str =
    "No such invitation for you: it may have been cancelled, or it was sent to another email address.";
const GONE: &str = "No such invitation: it may have been accepted, declined or cancelled already.";

fn role_from(s: String) -> Result<Role, sqlx::Error> {
    s.parse().map_err(|e: String| sqlx::Error::Decode(e.into()))
}

async fn audit(tx: &mut Tx, org_id: i64, actor_id: i64, kind: AuditEvent, detail: &str, now: i64) -> AppResult<()> {
    super::orgs::audit(&mut **tx, org_id, actor_id, kind, detail, now).await
}

async fn lock_org(tx: &mut Tx, org_id: i64) -> AppResult<()> {
    super::orgs::lock(tx, org_id).await
}

pub enum Invited {
    Sent,
    AlreadyMember,
}

/// Invites `email` (already normalized) as `role`; an invitation pending for
/// the same email is renewed. Whether an account uses the email changes
/// neither the queries run nor the outcome, so the answer cannot tell.
pub async fn invite(
    db: &Db,
    org_id: i64,
    actor: &User,
    actor_role: Role,
    email: &str,
    role: Role,
    now: i64,
) -> AppResult<Invited> {
    policy::may_invite(actor_role, role).map_err(AppError::forbidden)?;
    let mut tx = db.begin().await?;
    lock_org(&mut tx, org_id).await?;
    // Managers see their members' emails anyway: saying so reveals nothing.
    let member = sqlx::query(
        "SELECT 1 AS one FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND u.email = $2",
    )
    .bind(org_id)
    .bind(email)
    .fetch_optional(&mut *tx)
    .await?;
    if member.is_some() {
        return Ok(Invited::AlreadyMember);
    }
    let pending = sqlx::query("SELECT role FROM invitations WHERE org_id = $1 AND email = $2")
        .bind(org_id)
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?;
    if let Some(row) = pending {
        policy::may_cancel_invitation(actor_role, role_from(row.try_get("role")?)?).map_err(AppError::forbidden)?;
    }
    sqlx::query(
        "INSERT INTO invitations (org_id, email, role, invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (org_id, email) DO UPDATE SET role = excluded.role, invited_by = excluded.invited_by, \
         created_at = excluded.created_at, expires_at = excluded.expires_at",
    )
    .bind(org_id)
    .bind(email)
    .bind(role.as_str())
    .bind(actor.id)
    .bind(now)
    .bind(now + INVITATION_DAYS * 86_400)
    .execute(&mut *tx)
    .await?;
    audit(&mut tx, org_id, actor.id, AuditEvent::MemberInvited, &format!("{email} as {}", role.as_str()), now).await?;
    tx.commit().await?;
    Ok(Invited::Sent)
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

/// Takes the invitation `id` if it was sent to `user`'s email: the delete
/// comes first, so of two concurrent answers one wins.
async fn take_own(tx: &mut Tx, id: i64, user: &User) -> AppResult<(i64, Role, i64)> {
    let row = sqlx::query("DELETE FROM invitations WHERE id = $1 AND email = $2 RETURNING org_id, role, expires_at")
        .bind(id)
        .bind(&user.email)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| AppError::not_found(NOT_YOURS))?;
    Ok((row.try_get("org_id")?, role_from(row.try_get("role")?)?, row.try_get("expires_at")?))
}

/// Accepts: the membership with the invited role. Returns the organization's slug.
pub async fn accept(db: &Db, id: i64, user: &User, now: i64) -> AppResult<String> {
    let mut tx = db.begin().await?;
    let (org_id, role, expires_at) = take_own(&mut tx, id, user).await?;
    // Dropping the transaction puts the expired invitation back.
    policy::may_accept_invitation(expires_at, now).map_err(AppError::conflict)?;
    // Already a member (say, from the demo seed): the invitation is used up all the same.
    sqlx::query("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, user_id) DO NOTHING")
        .bind(org_id)
        .bind(user.id)
        .bind(role.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        org_id,
        user.id,
        AuditEvent::InvitationAccepted,
        &format!("{} as {}", user.email, role.as_str()),
        now,
    )
    .await?;
    let slug: String = sqlx::query("SELECT slug FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("slug")?;
    tx.commit().await?;
    Ok(slug)
}

/// Declines (expired or not): the invitation is gone.
pub async fn decline(db: &Db, id: i64, user: &User, now: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let (org_id, role, _) = take_own(&mut tx, id, user).await?;
    audit(
        &mut tx,
        org_id,
        user.id,
        AuditEvent::InvitationDeclined,
        &format!("{} as {}", user.email, role.as_str()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Cancels an invitation of the organization, within the actor's role.
pub async fn cancel(db: &Db, org_id: i64, actor: &User, actor_role: Role, id: i64, now: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    let row = sqlx::query("DELETE FROM invitations WHERE id = $1 AND org_id = $2 RETURNING email, role")
        .bind(id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::not_found(GONE))?;
    let (email, role): (String, Role) = (row.try_get("email")?, role_from(row.try_get("role")?)?);
    // Refused: dropping the transaction keeps the invitation.
    policy::may_cancel_invitation(actor_role, role).map_err(AppError::forbidden)?;
    audit(&mut tx, org_id, actor.id, AuditEvent::InvitationCancelled, &format!("{email} as {}", role.as_str()), now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// `user` leaves the organization; its last owner cannot.
pub async fn leave(db: &Db, org_id: i64, user: &User, now: i64) -> AppResult<()> {
    let mut tx = db.begin().await?;
    // Two owners leaving at once must not both see the other still there.
    lock_org(&mut tx, org_id).await?;
    let row = sqlx::query(
        "SELECT m.role, (SELECT COUNT(*) FROM memberships o WHERE o.org_id = $1 AND o.role = 'owner') AS owners \
         FROM memberships m WHERE m.org_id = $1 AND m.user_id = $2",
    )
    .bind(org_id)
    .bind(user.id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::not_found("You are not a member of this organization."))?;
    let role = role_from(row.try_get("role")?)?;
    policy::may_leave(role, row.try_get("owners")?).map_err(AppError::conflict)?;
    sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    audit(&mut tx, org_id, user.id, AuditEvent::MemberLeft, &format!("{} ({})", user.email, role.as_str()), now)
        .await?;
    tx.commit().await?;
    Ok(())
}
