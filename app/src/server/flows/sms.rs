//! Text messages as a second factor: sending a code (every limit first,
//! then the code's row, the message and the log row in one commit), setting
//! up or changing the number ("Check Code", then the backup codes as for the
//! app), removing it, choosing the method asked first, and the login's code.

use super::reauthentication::{second_factor, Reauthentication};
use super::{Ctx, InSession, NewSession};
use crate::error::{AppError, AppResult};
use crate::factors::Kind;
use crate::server::guards::attempts::{self, Counter};
use crate::server::guards::second_factor::{self as guard, Accept};
use crate::server::refusals::Refused;
use crate::server::store::events::SecurityEvent;
use crate::server::store::outbox::{Message, MessageKind};
use crate::server::store::sms::{self, Purpose};
use crate::server::store::{credentials, orgs, pending_logins, sessions, users};
use crate::server::SmsSettings;
use crate::twofactor::backup_codes;
use crate::twofactor::sms::{new_code, PhoneNumber, RESEND_SECS};

/// A code on its way.
#[derive(Debug, Clone)]
pub struct Sent {
    /// `+1 ••• ••• 01 23`: where it goes.
    pub masked: String,
    /// A code was sent (at the login's step, one may not have been yet).
    pub sent: bool,
    /// "Send the code again" from this many seconds on.
    pub resend_in_secs: i64,
}

/// SMS is offered only with a gateway.
pub fn offered<'s>(cx: &Ctx<'s>) -> AppResult<&'s SmsSettings> {
    cx.state.settings.sms.as_ref().ok_or_else(|| Refused::SmsOff.into())
}

/// Sends a new code for `(purpose, bound_to)` to `phone`: refused within a
/// minute of the last one, and past any limit (each counted in the database,
/// so they hold across instances; a refusal is logged for the account and
/// the operator). A request never waits on the gateway: the outbox does.
async fn send_code(
    cx: &Ctx<'_>,
    user_id: i64,
    phone: &PhoneNumber,
    (purpose, bound_to): (Purpose, &str),
) -> AppResult<Sent> {
    let settings = offered(cx)?;
    if let Some(last) = sms::last_sent_at(cx.db(), (purpose, bound_to)).await? {
        let wait = last + RESEND_SECS - cx.now;
        if wait > 0 {
            return Err(Refused::SmsResendTooSoon { secs: wait }.into());
        }
    }
    let counters = [Some(Counter::sms_account(user_id)), Some(Counter::sms_number(&cx.state.keys, phone.e164()))]
        .into_iter()
        .chain([cx.meta.ip.map(Counter::sms_address)])
        .flatten();
    for counter in counters {
        match attempts::reserve(cx.db(), counter.clone(), cx.now).await {
            // Every send counts: nothing is given back.
            Ok(_counted) => {}
            Err(AppError::RateLimited { retry_after_secs }) => {
                return Err(limit_reached(cx, user_id, counter.scope_name(), retry_after_secs).await);
            }
            Err(e) => return Err(e),
        }
    }
    if !sms::count_today(cx.db(), cx.now, settings.daily_limit).await? {
        return Err(limit_reached(cx, user_id, "sms_daily", sms::secs_to_next_day(cx.now) as u64).await);
    }
    let code = new_code();
    let mut work = cx.work().await?;
    sms::record_send(work.tx(), &cx.state.keys, user_id, (purpose, bound_to), &code, cx.now).await?;
    let message =
        Message::to(user_id, MessageKind::SmsCode).with_sealed("phone", phone.e164()).with_sealed("code", &code);
    work.send(message).await?;
    work.security_about(user_id, SecurityEvent::SmsCodeSent, &phone.masked()).await?;
    work.commit().await?;
    // The operator's count of sends; the number stays out of the log.
    tracing::info!(user_id, purpose = ?purpose, "a code is queued for a text message");
    Ok(Sent { masked: phone.masked(), sent: true, resend_in_secs: RESEND_SECS })
}

/// A send refused by a limit: in the account's security log and the
/// operator's log; the answer says when to try again.
async fn limit_reached(cx: &Ctx<'_>, user_id: i64, limit: &'static str, retry_after_secs: u64) -> AppError {
    tracing::warn!(user_id, limit, retry_after_secs, "a text message was refused: limit reached");
    let logged = async {
        let mut work = cx.work().await?;
        work.security_about(user_id, SecurityEvent::SmsLimitReached, limit).await?;
        work.commit().await
    };
    match logged.await {
        Ok(()) => Refused::SmsLimit { retry_after_secs }.into(),
        Err(e) => e,
    }
}

/// "Text message (SMS)" in the "Two Factor Auth" dialog, or "Change number":
/// the number typed, checked against the countries allowed; the same
/// confirmation as adding any factor; then a code sent to it.
// `skip_all`: the password, code and number never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn start_enrollment(
    cx: &Ctx<'_>,
    s: InSession<'_>,
    typed: &str,
    (password, code): (Option<String>, Option<String>),
) -> AppResult<Sent> {
    let settings = offered(cx)?;
    let phone = PhoneNumber::parse(typed, &settings.allowed).map_err(Refused::Phone)?;
    let proven = super::reauthentication::adding_a_factor(cx, s, password, code).await?;
    let mut work = cx.work_proven(proven).await?;
    if work.gave_password() {
        sessions::mark_authenticated(&mut **work.tx(), s.session_hash, cx.now).await?;
    }
    sms::start_enrollment(work.tx(), &cx.state.keys, (s.session_hash, s.user.id), &phone, cx.now).await?;
    work.commit().await?;
    send_code(cx, s.user.id, &phone, (Purpose::Enroll, s.session_hash)).await
}

/// "Send the code again" while setting up a number.
pub async fn resend_enrollment_code(cx: &Ctx<'_>, s: InSession<'_>) -> AppResult<Sent> {
    let enrollment = sms::enrollment(cx.db(), &cx.state.keys, (s.session_hash, s.user.id), cx.now)
        .await?
        .ok_or(Refused::EnrollmentExpired)?;
    send_code(cx, s.user.id, &enrollment.phone, (Purpose::Enroll, s.session_hash)).await
}

/// "Check Code": the texted code. Returns the backup codes to save when the
/// account has none yet (the same step as for the app), else none.
// `skip_all`: codes never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn check_enrollment(cx: &Ctx<'_>, s: InSession<'_>, code: &str) -> AppResult<Option<Vec<String>>> {
    let key = (s.session_hash, s.user.id);
    let enrollment = sms::enrollment(cx.db(), &cx.state.keys, key, cx.now).await?.ok_or(Refused::EnrollmentExpired)?;
    if enrollment.verified {
        return Ok(enrollment.codes);
    }
    guard::verify_texted_enrollment_code(cx.state, s.user.id, s.session_hash, code, cx.meta).await?;
    let has_codes = !credentials::backup_codes(cx.db(), &cx.state.keys, s.user.id).await?.is_empty();
    let codes = (!has_codes).then(backup_codes::generate);
    if sms::mark_verified(cx.db(), &cx.state.keys, key, codes.as_deref()).await? {
        return Ok(codes);
    }
    // A concurrent request verified first: its codes are the ones that count.
    let again = sms::enrollment(cx.db(), &cx.state.keys, key, cx.now).await?.ok_or(Refused::EnrollmentExpired)?;
    Ok(again.codes)
}

/// "I've Saved my Codes" (or at once, without new codes): the number, the
/// codes, the end of the account's other sessions, this session's fresh id
/// and the log row commit together.
pub async fn finish_enrollment(cx: &Ctx<'_>, s: InSession<'_>) -> AppResult<NewSession> {
    let key = (s.session_hash, s.user.id);
    let enrollment = sms::enrollment(cx.db(), &cx.state.keys, key, cx.now).await?.ok_or(Refused::EnrollmentExpired)?;
    if !enrollment.verified {
        return Err(Refused::EnrollmentNotChecked.into());
    }
    let mut work = cx.work().await?;
    if !sms::consume_enrollment(work.tx(), key).await? {
        return Err(Refused::EnrollmentVoided.into());
    }
    let was_on = credentials::held(&mut **work.tx(), s.user.id).await?.any();
    sms::set_phone(work.tx(), &cx.state.keys, s.user.id, &enrollment.phone, cx.now).await?;
    if let Some(codes) = &enrollment.codes {
        credentials::replace_backup_codes(work.tx(), &cx.state.keys, s.user.id, codes).await?;
    }
    let token = sessions::replace_all_for_user(work.tx(), s.user.id, s.session_hash, cx.now).await?;
    work.security_about(s.user.id, SecurityEvent::SmsNumberSet, &enrollment.phone.masked()).await?;
    if !was_on {
        work.security(s.user.id, SecurityEvent::TwoFactorEnabled).await?;
        work.send(Message::to(s.user.id, MessageKind::TwoFactorTurnedOn)).await?;
    }
    work.commit().await?;
    Ok(NewSession { token })
}

/// Closing the dialog early: the number being set up is dropped.
pub async fn cancel_enrollment(cx: &Ctx<'_>, s: InSession<'_>) -> AppResult<()> {
    sms::cancel_enrollment(cx.db(), s.session_hash).await
}

/// "Remove" beside SMS: the password and a second factor (the app's code, a
/// backup code or a key). The last factor's removal is turning 2FA off, with
/// its rules (an organization requiring 2FA refuses it) and its effects.
// `skip_all`: codes and the password never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn remove(cx: &Ctx<'_>, s: InSession<'_>, input: Reauthentication) -> AppResult<NewSession> {
    let held = credentials::held(cx.db(), s.user.id).await?;
    if !held.has(Kind::Sms) {
        return Err(Refused::SmsNotSetUp.into());
    }
    let last = !held.kinds.iter().any(|k| k != Kind::Sms);
    if last {
        crate::policy::may_disable_two_factor(orgs::requiring_two_factor(cx.db(), s.user.id).await?)?;
    }
    let accept = if held.has(Kind::App) { Accept::Either } else { Accept::BackupCode };
    let proven = second_factor(cx, s, input, accept).await?;
    let mut work = cx.work_proven(proven).await?;
    if !sms::remove_phone(work.tx(), s.user.id).await? {
        work.abandon().await?;
        return Err(Refused::SmsNotSetUp.into());
    }
    if last {
        credentials::disable_in(work.tx(), s.user.id).await?;
        crate::server::store::browsers::forget_all(&mut **work.tx(), s.user.id).await?;
    }
    let token = sessions::replace_all_for_user(work.tx(), s.user.id, s.session_hash, cx.now).await?;
    work.security(s.user.id, SecurityEvent::SmsNumberRemoved).await?;
    if last {
        work.security(s.user.id, SecurityEvent::TwoFactorDisabled).await?;
        work.send(Message::to(s.user.id, MessageKind::TwoFactorTurnedOff)).await?;
    }
    work.commit().await?;
    Ok(NewSession { token })
}

/// "Preferred method": which code the login asks for first.
pub async fn set_preferred(cx: &Ctx<'_>, s: InSession<'_>, kind: Kind) -> AppResult<()> {
    if !kind.uses_codes() || !credentials::held(cx.db(), s.user.id).await?.has(kind) {
        return Err(Refused::MethodNotSetUp.into());
    }
    users::set_preferred_factor(cx.db(), s.user.id, kind).await
}

/// The login's second step texts a code first: SMS is preferred, or the
/// only code the account has.
pub async fn texts_first(cx: &Ctx<'_>, user_id: i64) -> AppResult<bool> {
    if cx.state.settings.sms.is_none() {
        return Ok(false);
    }
    let held = credentials::held(cx.db(), user_id).await?;
    if !held.has(Kind::Sms) {
        return Ok(false);
    }
    let preferred = users::preferred_factor(cx.db(), user_id).await?;
    Ok(preferred == Some(Kind::Sms) || !held.has(Kind::App))
}

/// The login's second step opened: the code is texted now where SMS comes
/// first. A refusal (a limit) does not stop the login: the page offers the
/// other methods and says why no text came; the log has it already.
pub async fn open_login_step(cx: &Ctx<'_>, user_id: i64, pending_token: &str) {
    let sent = match texts_first(cx, user_id).await {
        Ok(true) => send_login_code(cx, pending_token).await.map(|_| ()),
        Ok(false) => Ok(()),
        Err(e) => Err(e),
    };
    if let Err(e) = sent {
        tracing::info!(user_id, error = %e, "no code was texted when the login's second step opened");
    }
}

/// "Send the code again" (or "Text me a code instead") at the login's second
/// step: only the pending login's holder, to the account's own number.
pub async fn send_login_code(cx: &Ctx<'_>, pending_token: &str) -> AppResult<Sent> {
    offered(cx)?;
    let user_id = pending_logins::user_for(cx.db(), pending_token, cx.now).await?.ok_or(Refused::SignedOut)?;
    let phone = sms::phone(cx.db(), &cx.state.keys, user_id).await?.ok_or(Refused::SmsNotSetUp)?;
    send_code(cx, user_id, &phone, (Purpose::Login, &sessions::token_hash(pending_token))).await
}

/// Where the login's code went and when it may be sent again, for the page.
pub async fn login_code_state(cx: &Ctx<'_>, user_id: i64, pending_token: &str) -> AppResult<Option<Sent>> {
    if cx.state.settings.sms.is_none() {
        return Ok(None);
    }
    let Some(phone) = sms::phone(cx.db(), &cx.state.keys, user_id).await? else { return Ok(None) };
    let bound_to = sessions::token_hash(pending_token);
    let last = sms::last_sent_at(cx.db(), (Purpose::Login, &bound_to)).await?;
    let resend_in_secs = last.map_or(0, |at| (at + RESEND_SECS - cx.now).max(0));
    Ok(Some(Sent { masked: phone.masked(), sent: last.is_some(), resend_in_secs }))
}
