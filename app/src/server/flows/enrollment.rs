//! Turning 2FA on, as the state machine of `server::enrollments`: start
//! (a secret, kept server-side), "Check Code" (backup codes made), "I've
//! Saved my Codes" (the one commit that changes the account), or cancel.

use super::{Ctx, InSession, NewSession};
use crate::error::AppResult;
use crate::factors::Kind;
use crate::server::guards::second_factor;
use crate::server::refusals::Refused;
use crate::server::store::enrollments::{self, Enrollment};
use crate::server::store::events::SecurityEvent;
use crate::server::store::outbox::{Message, MessageKind};
use crate::server::{store::credentials, store::sessions};
use crate::twofactor::backup_codes;
use crate::twofactor::totp::TotpSecret;

/// Step 1: a new secret, bound to this session. A session that last gave
/// its password more than a few minutes ago gives it again (`password`); an
/// account with security keys confirms with one first (`reauthentication::adding_a_factor`).
// `skip_all`: the password and the secret never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn start(
    cx: &Ctx<'_>,
    s: InSession<'_>,
    password: Option<String>,
    code: Option<String>,
) -> AppResult<TotpSecret> {
    let state = cx.state;
    if credentials::held(cx.db(), s.user.id).await?.has(Kind::App) {
        return Err(Refused::TwoFactorAlreadyOn.into());
    }
    // An account whose 2FA is security keys confirms with one of them first.
    let proven = super::reauthentication::adding_a_factor(cx, s, password, code).await?;
    let mut work = cx.work_proven(proven).await?;
    if work.gave_password() {
        sessions::mark_authenticated(&mut **work.tx(), s.session_hash, cx.now).await?;
    }
    let secret = enrollments::start(work.tx(), &state.keys, s.session_hash, s.user.id, cx.now).await?;
    work.commit().await?;
    Ok(secret)
}

/// Step 2, "Check Code": a right code returns the backup codes (the same
/// ones again on a retry or a double click).
// `skip_all`: codes never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn check_code(cx: &Ctx<'_>, s: InSession<'_>, code: &str) -> AppResult<Vec<String>> {
    let state = cx.state;
    if credentials::held(cx.db(), s.user.id).await?.has(Kind::App) {
        enrollments::delete(cx.db(), s.session_hash).await?;
        return Err(Refused::EnrollmentVoided.into());
    }
    let secret = match enrollments::load(cx.db(), &state.keys, s.session_hash, s.user.id, cx.now).await? {
        Enrollment::Verified { codes, .. } => return Ok(codes),
        Enrollment::Started { secret } => secret,
    };
    let step = second_factor::verify_enrollment_code(state, s.user.id, &s.user.email, &secret, code, cx.meta).await?;
    let codes = backup_codes::generate();
    if enrollments::mark_verified(cx.db(), &state.keys, s.session_hash, s.user.id, step, &codes).await? {
        return Ok(codes);
    }
    // A concurrent request verified first: its codes are the ones that count.
    match enrollments::load(cx.db(), &state.keys, s.session_hash, s.user.id, cx.now).await? {
        Enrollment::Verified { codes, .. } => Ok(codes),
        Enrollment::Started { .. } => Err(crate::error::AppError::Internal),
    }
}

/// "I've Saved my Codes": secret, codes, the end of the account's other
/// sessions, this session's fresh id and the log row commit together, and
/// the enrollment is consumed by the same commit.
pub async fn finish(cx: &Ctx<'_>, s: InSession<'_>) -> AppResult<NewSession> {
    let state = cx.state;
    let Enrollment::Verified { secret, step, codes } =
        enrollments::load(cx.db(), &state.keys, s.session_hash, s.user.id, cx.now).await?
    else {
        return Err(Refused::EnrollmentNotChecked.into());
    };
    let mut work = cx.work().await?;
    // The credential first: of two sessions finishing at once, the second waits here and gets a 409.
    credentials::enable(work.tx(), &state.keys, s.user.id, &secret, step, &codes, cx.now).await?;
    if !enrollments::consume(work.tx(), s.session_hash, s.user.id).await? {
        return Err(Refused::EnrollmentVoided.into());
    }
    let token = sessions::replace_all_for_user(work.tx(), s.user.id, s.session_hash, cx.now).await?;
    work.security(s.user.id, SecurityEvent::TwoFactorEnabled).await?;
    work.send(Message::to(s.user.id, MessageKind::TwoFactorTurnedOn)).await?;
    work.commit().await?;
    Ok(NewSession { token })
}

/// Closing the dialog early: the pending secret is discarded, 2FA stays off.
pub async fn cancel(cx: &Ctx<'_>, s: InSession<'_>) -> AppResult<()> {
    enrollments::delete(cx.db(), s.session_hash).await
}
