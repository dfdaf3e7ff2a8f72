//! The password: changed on the Account page (the current one, and a second
//! factor with 2FA on), and recovered with a link mailed to the account's
//! address. A link alone never defeats 2FA: with 2FA on, the reset asks for
//! a code (the app's, or a backup code) before the new password is set.

use super::reauthentication::{self, Reauthentication};
use super::{Ctx, InSession, NewSession};
use crate::error::AppResult;
use crate::factors::Kind;
use crate::model::ResetForm;
use crate::server::guards::attempts::{self, Counter};
use crate::server::guards::second_factor::{self, Accept, Claim};
use crate::server::password::check_new;
use crate::server::refusals::Refused;
use crate::server::store::email_links::{self, Purpose};
use crate::server::store::events::SecurityEvent;
use crate::server::store::outbox::{Message, MessageKind};
use crate::server::store::{credentials, oidc::grants, pending_logins, sessions, users};
use crate::server::AppState;
use crate::validate;

use super::reauthentication::Proven;

pub struct NewPassword {
    pub current: String,
    /// With 2FA on: a code from the app (or empty, with a key confirmed just before).
    pub code: String,
    pub new: String,
}

/// "Change password": the account's other sessions end; this one goes on
/// under a fresh id (returned for the cookie).
// `skip_all`: passwords never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn change(cx: &Ctx<'_>, s: InSession<'_>, input: NewPassword) -> AppResult<NewSession> {
    if input.current.is_empty() {
        return Err(Refused::PasswordNeededTo("to change it").into());
    }
    check_new(&input.new)?;
    let state = cx.state;
    // The current password is always asked, a key confirmation or not.
    let held = credentials::held(cx.db(), s.user.id).await?;
    let key_instead = input.code.trim().is_empty() && held.has(Kind::SecurityKey);
    let (proven, password_check) = if key_instead {
        let check = second_factor::challenge(state, s.user.id, None, cx.meta).await?;
        let check = check.password(state, &s.user.email, input.current.clone(), cx.meta).await?;
        let proven = reauthentication::second_factor(
            cx,
            s,
            Reauthentication { password: input.current, code: input.code },
            Accept::Totp,
        )
        .await?;
        (proven, Some(check))
    } else {
        let proof = Reauthentication { password: input.current, code: input.code };
        (reauthentication::password_and_second_factor(cx, s, proof, "to change it").await?, None)
    };
    let hash = state.hasher.hash(input.new).await?;
    let mut work = cx.work_proven(proven).await?;
    users::set_password(&mut **work.tx(), s.user.id, &hash).await?;
    email_links::void(&mut **work.tx(), s.user.id, Purpose::Reset, cx.now).await?;
    let token = sessions::replace_all_for_user(work.tx(), s.user.id, s.session_hash, cx.now).await?;
    crate::server::store::browsers::forget_all(&mut **work.tx(), s.user.id).await?;
    work.security(s.user.id, SecurityEvent::PasswordChanged).await?;
    work.send(Message::to(s.user.id, MessageKind::PasswordChanged).with("how", "changed")).await?;
    work.commit().await?;
    if let Some(check) = password_check {
        check.passed(state, Claim::NotAsked).await?;
    }
    Ok(NewSession { token })
}

/// "Forgot password": the same answer, at once, whether or not an account
/// has the address. The lookup and the mail happen after the answer, so its
/// timing tells nothing either; requests are limited per address typed and
/// per client address, counted the same for known and unknown addresses.
pub async fn request_reset(cx: &Ctx<'_>, email: &str) -> AppResult<()> {
    let email = validate::email(email)?;
    let state = cx.state;
    if let Some(ip) = cx.meta.ip {
        let _counted = attempts::reserve(cx.db(), Counter::reset_address(ip), cx.now).await?;
    }
    let _counted = attempts::reserve(cx.db(), Counter::reset_account(&state.keys, &email), cx.now).await?;
    let (state, meta, now) = (state.clone(), cx.meta.clone(), cx.now);
    tokio::spawn(async move {
        if let Err(e) = send_reset_link(&state, &meta, &email, now).await {
            tracing::warn!(error = %e, "a password reset link could not be made");
        }
    });
    Ok(())
}

async fn send_reset_link(
    state: &AppState,
    meta: &crate::server::store::events::RequestMeta,
    email: &str,
    now: i64,
) -> AppResult<()> {
    let Some(user) = users::find_by_email(&state.db, email).await? else { return Ok(()) };
    let cx = Ctx { state, meta, now };
    let mut work = cx.work().await?;
    let token = email_links::create(work.tx(), user.id, Purpose::Reset, &user.email, now).await?;
    work.security(user.id, SecurityEvent::PasswordResetRequested).await?;
    // To the address that asked, even if the account's changes before the mail goes.
    let message = Message::to(user.id, MessageKind::PasswordReset).at_address(&user.email);
    work.send(message.with_link_token(&token)).await?;
    work.commit().await
}

/// The page behind the link: whether it still works, and what it will ask.
pub async fn reset_form(cx: &Ctx<'_>, token: &str) -> AppResult<ResetForm> {
    let link = email_links::peek(cx.db(), token, Purpose::Reset, cx.now).await?.ok_or(Refused::ResetLinkGone)?;
    let held = credentials::held(cx.db(), link.user_id).await?;
    Ok(ResetForm { code_needed: held.any(), has_app: held.has(Kind::App) })
}

pub struct Reset {
    pub token: String,
    pub code: String,
    pub new: String,
}

/// Sets the new password from the link. With 2FA on, a code (the app's or a
/// backup code) is claimed in the same transaction as the link, so neither
/// is used up unless both were right. Every session ends, and the account's
/// refresh tokens and unused reset links with them; the address is
/// verified (the link was read there).
// `skip_all`: passwords and codes never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn reset(cx: &Ctx<'_>, input: Reset) -> AppResult<()> {
    let state = cx.state;
    let link = email_links::peek(cx.db(), &input.token, Purpose::Reset, cx.now).await?.ok_or(Refused::ResetLinkGone)?;
    check_new(&input.new)?;
    let proven = if credentials::is_enabled(cx.db(), link.user_id).await? {
        if input.code.trim().is_empty() {
            return Err(Refused::MalformedCode(Accept::Either).into());
        }
        Proven::Code(second_factor::challenge(state, link.user_id, Some((&input.code, Accept::Either)), cx.meta).await?)
    } else {
        Proven::Password(None)
    };
    let hash = state.hasher.hash(input.new).await?;
    let mut work = cx.work_proven(proven).await?;
    if email_links::use_once(&mut **work.tx(), &input.token, Purpose::Reset, cx.now).await?.is_none() {
        work.abandon().await?;
        return Err(Refused::ResetLinkGone.into());
    }
    let user_id = link.user_id;
    users::set_password(&mut **work.tx(), user_id, &hash).await?;
    users::mark_verified(&mut **work.tx(), user_id, &link.email, cx.now).await?;
    super::oidc::backchannel::notify(&mut work, user_id, super::oidc::backchannel::Ended::Every).await?;
    sessions::delete_all_for_user(&mut **work.tx(), user_id).await?;
    crate::server::store::browsers::forget_all(&mut **work.tx(), user_id).await?;
    pending_logins::delete_for_user(&mut **work.tx(), user_id).await?;
    grants::revoke_every(work.tx(), user_id).await?;
    work.security(user_id, SecurityEvent::PasswordReset).await?;
    work.send(Message::to(user_id, MessageKind::PasswordChanged).with("how", "reset")).await?;
    if work.factor() == Some(second_factor::Factor::BackupCode) {
        let left = credentials::codes_left(&mut **work.tx(), user_id).await?;
        work.send(Message::to(user_id, MessageKind::BackupCodeUsed).with("left", left)).await?;
    }
    work.commit().await
}
