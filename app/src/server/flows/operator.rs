//! What the person running the server may do from its command line when
//! nobody else can (`portcullis operators …`, `users …`, `orgs add-owner`):
//! each change commits with a row in the account's security log and a mail
//! to its owner ("The server's operator changed your account"), and an
//! organization's change with a row in its audit log.

use super::Ctx;
use crate::error::AppResult;
use crate::model::{Role, User};
use crate::server::refusals::Refused;
use crate::server::store::email_links::{self, Purpose};
use crate::server::store::events::{AuditEvent, SecurityEvent};
use crate::server::store::outbox::{Message, MessageKind};
use crate::server::store::{credentials, oidc::grants, orgs, pending_logins, sessions, users};
use crate::server::words::audit_detail::Detail;
use crate::validate;

async fn account(cx: &Ctx<'_>, email: &str) -> AppResult<User> {
    let email = validate::email(email)?;
    users::find_by_email(cx.db(), &email).await?.ok_or_else(|| Refused::NoAccountFor { email }.into())
}

fn told(user: &User, what: &str) -> Message {
    Message::to(user.id, MessageKind::OperatorAction).with("what", what)
}

/// Makes the account an operator, or no longer one; false when nothing changed.
pub async fn set_operator(cx: &Ctx<'_>, email: &str, operator: bool) -> AppResult<bool> {
    let user = account(cx, email).await?;
    let mut work = cx.work().await?;
    if !users::set_operator(&mut **work.tx(), user.id, operator, cx.now).await? {
        work.abandon().await?;
        return Ok(false);
    }
    work.security(user.id, SecurityEvent::OperatorAction).await?;
    let what = if operator { "made you one of its operators" } else { "removed you from its operators" };
    work.send(told(&user, what)).await?;
    work.commit().await?;
    Ok(true)
}

/// A one-time reset link (30 minutes) for the operator to hand over; the
/// second factor is still asked on its page. Returns the token.
pub async fn reset_password_link(cx: &Ctx<'_>, email: &str) -> AppResult<String> {
    let user = account(cx, email).await?;
    let mut work = cx.work().await?;
    let token = email_links::create(work.tx(), user.id, Purpose::Reset, &user.email, cx.now).await?;
    work.security(user.id, SecurityEvent::OperatorAction).await?;
    work.send(told(&user, "made a link to reset your password")).await?;
    work.commit().await?;
    Ok(token)
}

/// For the owner who lost every factor: turns 2FA off (the app, every key,
/// the backup codes) and ends every session, sign-in in progress and
/// application grant. False when the account had no 2FA.
pub async fn reset_two_factor(cx: &Ctx<'_>, email: &str) -> AppResult<bool> {
    let user = account(cx, email).await?;
    let mut work = cx.work().await?;
    if !credentials::held(&mut **work.tx(), user.id).await?.any() {
        work.abandon().await?;
        return Ok(false);
    }
    credentials::disable_in(work.tx(), user.id).await?;
    super::oidc::backchannel::notify(&mut work, user.id, super::oidc::backchannel::Ended::Every).await?;
    sessions::delete_all_for_user(&mut **work.tx(), user.id).await?;
    crate::server::store::browsers::forget_all(&mut **work.tx(), user.id).await?;
    pending_logins::delete_for_user(&mut **work.tx(), user.id).await?;
    grants::revoke_every(work.tx(), user.id).await?;
    work.security(user.id, SecurityEvent::TwoFactorResetByAdmin).await?;
    work.security(user.id, SecurityEvent::OperatorAction).await?;
    work.send(Message::to(user.id, MessageKind::TwoFactorReset).with("actor", "The server's operator")).await?;
    work.commit().await?;
    Ok(true)
}

/// Makes the account an owner of the organization (joining it, or raising
/// its role), audited there as the operator's doing.
pub async fn add_owner(cx: &Ctx<'_>, slug: &str, email: &str) -> AppResult<()> {
    let user = account(cx, email).await?;
    let org_id = super::applications::org_by_slug(cx, slug).await?;
    let mut work = cx.work().await?;
    orgs::lock(work.tx(), org_id).await?;
    let was = orgs::role_of_in(work.tx(), org_id, user.id).await?;
    if was == Some(Role::Owner) {
        work.abandon().await?;
        return Err(Refused::AlreadyOwner { email: user.email }.into());
    }
    orgs::make_owner(work.tx(), org_id, user.id, cx.now).await?;
    let detail = Detail::new()
        .with("user_id", user.id)
        .with("email", user.email.as_str())
        .with("from", was.map_or("none", |r| r.as_str()))
        .with("to", Role::Owner.as_str())
        .with("role", Role::Owner.as_str())
        .with("by_operator", true)
        .stored();
    // Joining is worded as a role change from "none": no invitation was involved.
    orgs::audit(&mut **work.tx(), org_id, None, AuditEvent::RoleChanged, &detail, cx.now).await?;
    work.security(user.id, SecurityEvent::OperatorAction).await?;
    let org = orgs::slug_of(work.tx(), org_id).await?;
    work.send(told(&user, &format!("made you an owner of the organization {org}"))).await?;
    work.commit().await
}
