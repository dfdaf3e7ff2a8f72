//! Signing up, logging in (password, then the second factor), logging out,
//! and the notice a person reads at their next visit.

use super::reauthentication::Proven;
use super::{Ctx, NewSession};
use crate::error::{AppError, AppResult};
use crate::factors::Proof;
use crate::model::User;
use crate::server::guards::attempts::{self, Counter};
use crate::server::guards::second_factor::{self, Accept, Factor};
use crate::server::refusals::Refused;
use crate::server::store::outbox::{Message, MessageKind};
use crate::server::store::pending_logins::FirstStep;
use crate::server::store::{browsers, invitations, sessions};
use crate::server::{guards::login_attempts, store::credentials, store::pending_logins, store::users};
use crate::validate;

pub struct NewAccount {
    pub name: String,
    pub email: String,
    pub password: String,
}

/// Creates the account and its first session, together. Limited per
/// address: every sign-up that gets as far as hashing counts, made or refused.
// `skip_all`: the password never reaches a log line.
#[tracing::instrument(skip_all)]
pub async fn sign_up(cx: &Ctx<'_>, input: NewAccount) -> AppResult<(User, NewSession)> {
    let name = validate::person_name(&input.name)?;
    let email = validate::email(&input.email)?;
    crate::server::password::check_new(&input.password)?;
    let state = cx.state;
    let invited = invitations::is_invited(cx.db(), &email, cx.now).await?;
    crate::policy::may_sign_up(&state.settings.sign_up, &email, invited).map_err(Refused::Policy)?;
    let reservation = match cx.meta.ip {
        Some(ip) => Some(attempts::reserve(cx.db(), Counter::sign_up_address(ip), cx.now).await?),
        None => None,
    };
    let hash = match state.hasher.hash(input.password).await {
        Ok(hash) => hash,
        // Refused for being busy: that sign-up did not happen.
        Err(e) => {
            if let Some(reservation) = reservation {
                reservation.release(cx.db()).await?;
            }
            return Err(e);
        }
    };
    // The reservation stays counted from here on: this sign-up happened, made or refused.
    let mut work = cx.work().await?;
    let user = users::create(&mut **work.tx(), &name, &email, &hash, cx.now).await?;
    let token =
        sessions::create(&mut **work.tx(), user.id, Proof::Password, (cx.now, cx.meta), &state.settings).await?;
    // The browser that signed up is no news to its owner at the next sign-in.
    if let Some(browser) = cx.meta.browser.as_deref() {
        browsers::seen(work.tx(), user.id, browser, (cx.now, cx.meta)).await?;
    }
    super::email::send_verification(&mut work, &user).await?;
    work.commit().await?;
    tracing::info!(user_id = user.id, "account created");
    Ok((user, NewSession { token }))
}

pub struct Credentials {
    pub email: String,
    pub password: String,
    /// What this login continues to asks for a code now (an application's
    /// step-up): a remembered browser does not skip it.
    pub code_required: bool,
}

/// Where a right password leads.
pub enum LoginStep {
    /// 2FA is on: a pending login (its own short-lived cookie), no session yet.
    SecondFactor {
        pending_token: String,
    },
    SignedIn {
        user: User,
        session: NewSession,
    },
}

/// Password login. Every failure reads "Invalid email or password" and costs
/// one hash; failures are limited per account and per address. Whatever
/// session the browser brought (`previous_session`) ends here: a fresh id at
/// every step.
// `skip_all`: the password never reaches a log line.
#[tracing::instrument(skip_all)]
pub async fn log_in(cx: &Ctx<'_>, previous_session: Option<&str>, input: Credentials) -> AppResult<LoginStep> {
    validate::password_length(&input.password)?;
    let state = cx.state;
    let attempt = login_attempts::begin(state, &input.email, cx.meta).await?;
    // Malformed emails still cost a hash, so the answer's timing is uniform.
    let found = match validate::email(&input.email) {
        Ok(email) => users::find_with_hash(cx.db(), &email).await?,
        Err(_) => None,
    };
    let (user, hash) = found.map_or((None, None), |(user, hash)| (Some(user), hash));
    let password_ok = match state.hasher.verify(input.password, hash).await {
        Ok(ok) => ok,
        Err(e) => {
            attempt.abandoned(state).await?;
            return Err(e);
        }
    };
    let Some(user) = user.filter(|_| password_ok) else {
        attempt.failed(state, cx.meta).await?;
        return Err(AppError::InvalidCredentials);
    };
    let mut work = cx.work().await?;
    attempt.succeeded_in(work.tx()).await?;
    if let Some(previous) = previous_session {
        sessions::delete(&mut **work.tx(), previous).await?;
    }
    let two_factor = credentials::is_enabled(&mut **work.tx(), user.id).await?;
    let user_id = user.id;
    let step = if two_factor && (input.code_required || !remembered_here(cx, &mut work, user.id).await?) {
        LoginStep::SecondFactor { pending_token: pending_logins::create(&mut **work.tx(), user.id, cx.now).await? }
    } else if two_factor {
        let token = work.signed_in(user.id, Proof::PasswordOnRememberedBrowser).await?;
        LoginStep::SignedIn { user, session: NewSession { token } }
    } else {
        let token = work.signed_in(user.id, Proof::Password).await?;
        LoginStep::SignedIn { user, session: NewSession { token } }
    };
    work.commit().await?;
    if let LoginStep::SecondFactor { pending_token } = &step {
        super::sms::open_login_step(cx, user_id, pending_token).await;
    }
    Ok(step)
}

pub struct SecondStep {
    pub pending_token: String,
    pub code: String,
    /// "Use a recovery code": a backup code instead of the app's code.
    pub recovery: bool,
    /// The code texted for this login instead of the app's.
    pub texted: bool,
    /// "Don't ask for a code on this browser for 30 days".
    pub remember: bool,
}

/// The browser is remembered for the account, and no organization of theirs forbids that.
async fn remembered_here(cx: &Ctx<'_>, work: &mut super::work::Work<'_>, user_id: i64) -> AppResult<bool> {
    let Some(browser) = cx.meta.browser.as_deref() else { return Ok(false) };
    Ok(browsers::is_remembered(&mut **work.tx(), user_id, browser, cx.now).await?
        && !browsers::forbidden_for(&mut **work.tx(), user_id).await?)
}

/// Remembers the browser after a second factor, when asked and allowed
/// (an organization that forbids it wins: the box is then ignored).
pub(super) async fn remember_here(cx: &Ctx<'_>, work: &mut super::work::Work<'_>, user_id: i64) -> AppResult<()> {
    let Some(browser) = cx.meta.browser.as_deref() else { return Ok(()) };
    if !browsers::forbidden_for(&mut **work.tx(), user_id).await? {
        browsers::remember(&mut **work.tx(), user_id, browser, cx.now).await?;
    }
    Ok(())
}

pub struct LoginDone {
    pub session: NewSession,
    /// After a backup code: how many are left, for the warning.
    pub backup_codes_left: Option<u32>,
}

/// The second login step. The code, the pending login, the new session and
/// the log rows commit together: two right codes at once (a TOTP and a
/// backup code) make one session, and a code is used only by the login it opened.
// `skip_all`: codes never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn verify_login(cx: &Ctx<'_>, input: SecondStep) -> AppResult<LoginDone> {
    let state = cx.state;
    let user_id = pending_logins::user_for(cx.db(), &input.pending_token, cx.now).await?.ok_or(Refused::SignedOut)?;
    let first = pending_logins::first_step(cx.db(), &input.pending_token).await?;
    let challenge = if input.texted {
        let pending_hash = sessions::token_hash(&input.pending_token);
        second_factor::texted_challenge(state, user_id, (&input.code, &pending_hash), cx.meta).await?
    } else {
        let accept = if input.recovery { Accept::BackupCode } else { Accept::Totp };
        second_factor::challenge(state, user_id, Some((&input.code, accept)), cx.meta).await?
    };
    let mut work = cx.work_proven(Proven::Code(challenge)).await?;
    if !pending_logins::consume(&mut **work.tx(), &input.pending_token).await? {
        work.abandon().await?;
        return Err(Refused::SignedOut.into());
    }
    let factor = work.factor().ok_or(AppError::Internal)?;
    let proof = match (first, factor) {
        // The provider's factor and ours: several factors, as the organization asked.
        (FirstStep::Upstream, _) => Proof::UpstreamMfa,
        (FirstStep::Password, Factor::Totp) => Proof::PasswordAndTotp,
        (FirstStep::Password, Factor::BackupCode) => Proof::PasswordAndBackupCode,
        (FirstStep::Password, Factor::Sms) => Proof::PasswordAndSms,
    };
    let token = work.signed_in(user_id, proof).await?;
    if input.remember {
        remember_here(cx, &mut work, user_id).await?;
    }
    let backup_codes_left = match factor {
        Factor::BackupCode => {
            let left = credentials::codes_left(&mut **work.tx(), user_id).await?;
            work.send(Message::to(user_id, MessageKind::BackupCodeUsed).with("left", left)).await?;
            Some(left)
        }
        Factor::Totp | Factor::Sms => None,
    };
    work.commit().await?;
    Ok(LoginDone { session: NewSession { token }, backup_codes_left })
}

/// Ends the session: the row is deleted, not just the cookie; applications
/// signed in from it that asked are told (back-channel logout).
pub async fn log_out(cx: &Ctx<'_>, session_token: &str) -> AppResult<()> {
    use crate::server::flows::oidc::backchannel::{self, Ended};
    let hash = sessions::token_hash(session_token);
    let mut work = cx.work().await?;
    let user: Option<i64> = sqlx::query_scalar("SELECT user_id FROM sessions WHERE token_hash = $1")
        .bind(&hash)
        .fetch_optional(&mut **work.tx())
        .await?;
    if let Some(user_id) = user {
        backchannel::notify(&mut work, user_id, Ended::Session(&sessions::public_id(&hash))).await?;
    }
    sessions::delete(&mut **work.tx(), session_token).await?;
    work.commit().await
}

/// "Dismiss" on the notice (an admin's reset of the user's 2FA).
pub async fn dismiss_notice(cx: &Ctx<'_>, user: &User) -> AppResult<()> {
    users::dismiss_notice(cx.db(), user.id).await
}
