//! Checking second factors, with the guessing limits and the security log
//! applied the same way everywhere: at login, at enrollment's "Check Code",
//! and at every re-authentication before a 2FA change.
//!
//! A check is a `Challenge`: it takes one attempt from the account's
//! allowance (committed at once, so concurrent guesses are all counted),
//! then the use case claims the code inside the transaction of its change,
//! so that a code is used up only if the change it authorizes commits, and
//! closes the challenge after that transaction ends.

use std::sync::atomic::{AtomicI64, Ordering};

use crate::error::AppResult;
use crate::server::guards::attempts::{self, Counter, Reservation};
use crate::server::guards::clock_skew;
use crate::server::refusals::Refused;
use crate::server::store::events::{self, RequestMeta, SecurityEvent};
use crate::server::{store::credentials, store::sms, AppState};
use crate::twofactor::backup_codes;
use crate::twofactor::totp::{self, TotpSecret};

type Tx = sqlx::Transaction<'static, sqlx::Any>;

pub use crate::twofactor::Accept;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Totp,
    BackupCode,
    Sms,
}

impl Factor {
    /// Its name in the metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Factor::Totp => "totp",
            Factor::BackupCode => "backup_code",
            Factor::Sms => "sms",
        }
    }
}

/// Strict parsing first: malformed input is refused without costing an attempt.
enum Parsed {
    Totp(String),
    Backup(String),
    Sms(String),
}

fn parse(raw: &str, accept: Accept) -> AppResult<Parsed> {
    let totp = || totp::normalize_code(raw).map(Parsed::Totp);
    let backup = || backup_codes::normalize(raw).map(Parsed::Backup);
    match accept {
        Accept::Totp => totp(),
        Accept::BackupCode => backup(),
        Accept::Either => totp().or_else(backup),
        Accept::Sms => crate::twofactor::sms::normalize(raw).map(Parsed::Sms),
    }
    .ok_or_else(|| Refused::MalformedCode(accept).into())
}

/// How an attempt on the account's second-factor counter ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// A right code of the account's own enabled second factor: the only
    /// thing that clears the count.
    OwnFactor,
    /// Right, but proving less (a password alone, a code of an enrollment's
    /// pending secret, which whoever holds the session can compute): no
    /// failure, and the failures so far stay.
    NoFailure,
    Failed,
}

/// Counts one attempt for the account, or refuses with the wait (the account
/// is locked out, or it failed from an address that is over its limit).
async fn begin_attempt(state: &AppState, user_id: i64, meta: &RequestMeta) -> AppResult<Reservation> {
    state.address_limiter.check(meta.ip, user_id, state.clock.now())?;
    attempts::reserve(&state.db, Counter::second_factor(user_id), state.clock.now()).await
}

/// Closes an attempt; a failure is logged (and the lockout too, when this
/// failure started one), in one transaction.
async fn end_attempt(
    state: &AppState,
    attempt: Reservation,
    user_id: i64,
    outcome: Outcome,
    meta: &RequestMeta,
) -> AppResult<()> {
    end_attempt_as(state, attempt, (user_id, SecurityEvent::FailedCode), outcome, meta).await
}

async fn end_attempt_as(
    state: &AppState,
    attempt: Reservation,
    (user_id, failure): (i64, SecurityEvent),
    outcome: Outcome,
    meta: &RequestMeta,
) -> AppResult<()> {
    let now = state.clock.now();
    match outcome {
        Outcome::OwnFactor => return attempt.succeeded(&state.db).await,
        Outcome::NoFailure => return attempt.release(&state.db).await,
        Outcome::Failed => {}
    }
    state.address_limiter.record_failure(meta.ip, user_id, now);
    let mut tx = crate::server::db::begin_write(&state.db).await?;
    events::record(&mut *tx, user_id, failure, meta, now).await?;
    if attempt.locked(now) {
        events::record(&mut *tx, user_id, SecurityEvent::Lockout, meta, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What a challenge's code did inside the use case's transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The code was right and is used up (if the transaction commits).
    Used(Factor),
    /// No code was asked for (a password-only re-authentication).
    NotAsked,
    Wrong,
}

/// One attempt at proving the account's owner: taken from the allowance,
/// not yet decided. Dropped undecided (an internal error), it stays counted.
#[must_use]
pub struct Challenge {
    attempt: Reservation,
    user_id: i64,
    code: Option<(Parsed, Accept)>,
    /// What a texted code was sent for (the pending login's token hash).
    texted_for: Option<String>,
    /// A refused app code's clock skew in steps that may be told (0: none).
    skew: AtomicI64,
}

/// Parses `code` (refusing malformed input for free) and takes one attempt.
// `skip_all`: codes never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn challenge(
    state: &AppState,
    user_id: i64,
    code: Option<(&str, Accept)>,
    meta: &RequestMeta,
) -> AppResult<Challenge> {
    let code = code.map(|(raw, accept)| parse(raw, accept).map(|parsed| (parsed, accept))).transpose()?;
    let attempt = begin_attempt(state, user_id, meta).await?;
    Ok(Challenge { attempt, user_id, code, texted_for: None, skew: AtomicI64::new(0) })
}

/// A challenge with the code texted for the pending login `pending_hash`.
pub async fn texted_challenge(
    state: &AppState,
    user_id: i64,
    (code, pending_hash): (&str, &str),
    meta: &RequestMeta,
) -> AppResult<Challenge> {
    let mut challenge = challenge(state, user_id, Some((code, Accept::Sms)), meta).await?;
    challenge.texted_for = Some(pending_hash.to_string());
    Ok(challenge)
}

impl Challenge {
    /// Checks the account's password as part of this attempt: a wrong one
    /// ends it as a failure; a busy hasher gives the attempt back.
    // `skip_all`: the password never reaches a log line.
    #[tracing::instrument(skip_all)]
    pub async fn password(
        self,
        state: &AppState,
        email: &str,
        password: String,
        meta: &RequestMeta,
    ) -> AppResult<Self> {
        if let Err(e) = crate::validate::password_length(&password) {
            self.attempt.release(&state.db).await?;
            return Err(e);
        }
        // The stored hash is looked up by email, as at login.
        let hash = crate::server::store::users::find_with_hash(&state.db, email).await?.and_then(|(_, hash)| hash);
        match state.hasher.verify(password, hash).await {
            Ok(true) => Ok(self),
            Ok(false) => {
                end_attempt(state, self.attempt, self.user_id, Outcome::Failed, meta).await?;
                Err(Refused::WrongPassword.into())
            }
            // Not decided: not a failure either.
            Err(e) => {
                self.attempt.release(&state.db).await?;
                Err(e)
            }
        }
    }

    /// Uses the code inside `tx`: the TOTP step or the backup code, and the
    /// log row of a backup code's use, commit with the change it authorizes.
    pub async fn claim(&self, tx: &mut Tx, state: &AppState, meta: &RequestMeta) -> AppResult<Claim> {
        let now = state.clock.now();
        let Some((parsed, _)) = &self.code else { return Ok(Claim::NotAsked) };
        let factor = match parsed {
            Parsed::Totp(code) => {
                let Some(credential) = credentials::load(&mut **tx, &state.keys, self.user_id).await? else {
                    return Ok(Claim::Wrong);
                };
                match totp::matching_step(&credential.secret, code, now) {
                    Some(step) if credentials::claim_step(&mut **tx, self.user_id, step).await? => {
                        clock_skew::observe(self.user_id, step - totp::step_of(now), now);
                        Factor::Totp
                    }
                    Some(_) => return Ok(Claim::Wrong),
                    None => {
                        if let Some(offset) = totp::skew_of(&credential.secret, code, now) {
                            clock_skew::observe(self.user_id, offset, now);
                            let sayable = totp::sayable_skew(offset, false).unwrap_or(0);
                            self.skew.store(sayable, Ordering::Relaxed);
                        }
                        return Ok(Claim::Wrong);
                    }
                }
            }
            Parsed::Backup(code) => {
                if !credentials::use_backup_code(tx, &state.keys, self.user_id, code, now).await? {
                    return Ok(Claim::Wrong);
                }
                events::record(&mut **tx, self.user_id, SecurityEvent::RecoveryCodeUsed, meta, now).await?;
                Factor::BackupCode
            }
            Parsed::Sms(code) => {
                let Some(bound_to) = &self.texted_for else { return Ok(Claim::Wrong) };
                let login = (sms::Purpose::Login, bound_to.as_str());
                if !sms::use_code(tx, &state.keys, self.user_id, login, code, now).await? {
                    return Ok(Claim::Wrong);
                }
                Factor::Sms
            }
        };
        Ok(Claim::Used(factor))
    }

    /// After the use case's transaction committed: a used factor clears the
    /// count; a password alone gives the attempt back.
    pub async fn passed(self, state: &AppState, claim: Claim) -> AppResult<()> {
        let outcome = if matches!(claim, Claim::Used(_)) { Outcome::OwnFactor } else { Outcome::NoFailure };
        self.attempt_done(state, outcome, &RequestMeta::default()).await
    }

    /// After the use case's transaction was rolled back for a wrong code:
    /// the failure is counted and logged; returns the error to answer with.
    pub async fn failed(self, state: &AppState, meta: &RequestMeta) -> crate::error::AppError {
        let accept = self.code.as_ref().map_or(Accept::Totp, |(_, accept)| *accept);
        let skew = self.skew.load(Ordering::Relaxed);
        match self.attempt_done(state, Outcome::Failed, meta).await {
            Ok(()) if skew != 0 => Refused::ClockOff { minutes: totp::skew_minutes(skew) }.into(),
            Ok(()) => Refused::WrongCode(accept).into(),
            Err(e) => e,
        }
    }

    async fn attempt_done(self, state: &AppState, outcome: Outcome, meta: &RequestMeta) -> AppResult<()> {
        end_attempt(state, self.attempt, self.user_id, outcome, meta).await
    }
}

/// Enrollment's "Check Code": the pending secret instead of a stored one.
/// Changes nothing but the attempt count.
// `skip_all`: codes and secrets never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn verify_enrollment_code(
    state: &AppState,
    user_id: i64,
    email: &str,
    secret: &TotpSecret,
    raw: &str,
    meta: &RequestMeta,
) -> AppResult<i64> {
    let code = totp::normalize_code(raw).ok_or(Refused::MalformedCode(Accept::Totp))?;
    let attempt = begin_attempt(state, user_id, meta).await?;
    let now = state.clock.now();
    let step = totp::matching_step(secret, &code, now);
    // Whoever holds the session knows the pending secret: a right code here proves nothing.
    let outcome = if step.is_some() { Outcome::NoFailure } else { Outcome::Failed };
    end_attempt(state, attempt, user_id, outcome, meta).await?;
    // The session holds this secret: a skew either way may be told.
    let skew = step.is_none().then(|| totp::skew_of(secret, &code, now)).flatten();
    let skew_minutes = skew.and_then(|s| totp::sayable_skew(s, true)).map(totp::skew_minutes);
    Ok(step.ok_or(Refused::WrongEnrollmentCode { code, email: email.to_string(), server_time: now, skew_minutes })?)
}

/// Setting up a number: the code texted to it, for this session's
/// enrollment. Used up by a right answer; counted like enrollment codes
/// (a failure counts, a success does not clear the count).
// `skip_all`: codes never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn verify_texted_enrollment_code(
    state: &AppState,
    user_id: i64,
    session_hash: &str,
    raw: &str,
    meta: &RequestMeta,
) -> AppResult<()> {
    let code = crate::twofactor::sms::normalize(raw).ok_or(Refused::MalformedCode(Accept::Sms))?;
    let attempt = begin_attempt(state, user_id, meta).await?;
    let now = state.clock.now();
    let mut tx = crate::server::db::begin_write(&state.db).await?;
    let enroll = (sms::Purpose::Enroll, session_hash);
    let used = sms::use_code(&mut tx, &state.keys, user_id, enroll, &code, now).await?;
    tx.commit().await?;
    let outcome = if used { Outcome::NoFailure } else { Outcome::Failed };
    end_attempt(state, attempt, user_id, outcome, meta).await?;
    if used {
        Ok(())
    } else {
        Err(Refused::WrongCode(Accept::Sms).into())
    }
}

/// One attempt with a security key (the login's second step, a passkey
/// sign-in): counted on the same per-account allowance as codes, so wrong,
/// replayed or malformed answers lead to the same lockout.
#[must_use]
pub struct KeyAttempt {
    attempt: Reservation,
    user_id: i64,
}

pub async fn key_attempt(state: &AppState, user_id: i64, meta: &RequestMeta) -> AppResult<KeyAttempt> {
    Ok(KeyAttempt { attempt: begin_attempt(state, user_id, meta).await?, user_id })
}

impl KeyAttempt {
    /// The account's own key answered: the count clears.
    pub async fn passed(self, state: &AppState) -> AppResult<()> {
        self.attempt.succeeded(&state.db).await
    }

    /// Counts and logs the failure (`event`: refused, or a clone warning);
    /// returns `refusal`, the error to answer with.
    pub async fn failed(
        self,
        state: &AppState,
        meta: &RequestMeta,
        event: SecurityEvent,
        refusal: Refused,
    ) -> crate::error::AppError {
        match end_attempt_as(state, self.attempt, (self.user_id, event), Outcome::Failed, meta).await {
            Ok(()) => refusal.into(),
            Err(e) => e,
        }
    }
}

pub async fn require_enabled(state: &AppState, user_id: i64) -> AppResult<()> {
    if credentials::is_enabled(&state.db, user_id).await? {
        Ok(())
    } else {
        Err(Refused::TwoFactorOff.into())
    }
}
