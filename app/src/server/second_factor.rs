//! Checking second factors, with the guessing limits and the security log
//! applied the same way everywhere: at login, at enrollment's "Check Code",
//! and at every re-authentication before a 2FA change.

use super::attempts::{self, Counter, Reservation};
use super::events::{self, RequestMeta, SecurityEvent};
use super::{credentials, AppState};
use crate::error::{AppError, AppResult};
use crate::twofactor::backup_codes;
use crate::twofactor::totp::{self, TotpSecret};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// A code from the authenticator app.
    Totp,
    /// A backup code ("Use a recovery code").
    BackupCode,
    /// Either, whichever the input looks like.
    Either,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Totp,
    BackupCode,
}

fn malformed(accept: Accept) -> AppError {
    AppError::validation(
        "code",
        match accept {
            Accept::Totp => "Enter the 6-digit code from your authenticator app.",
            Accept::BackupCode => "Enter one of your backup codes, like abcde-12345.",
            Accept::Either => "Enter the 6-digit code from your authenticator app, or a backup code.",
        },
    )
}

fn wrong(accept: Accept) -> AppError {
    AppError::validation(
        "code",
        match accept {
            Accept::BackupCode => "That backup code is not valid or was used already.",
            _ => "That code is not valid. Enter the code your authenticator app shows now.",
        },
    )
}

/// Strict parsing first: malformed input is refused without costing an attempt.
enum Parsed {
    Totp(String),
    Backup(String),
}

fn parse(raw: &str, accept: Accept) -> AppResult<Parsed> {
    let totp = || totp::normalize_code(raw).map(Parsed::Totp);
    let backup = || backup_codes::normalize(raw).map(Parsed::Backup);
    match accept {
        Accept::Totp => totp(),
        Accept::BackupCode => backup(),
        Accept::Either => totp().or_else(backup),
    }
    .ok_or_else(|| malformed(accept))
}

/// How an attempt on the account's second-factor counter ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
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
pub async fn begin_attempt(state: &AppState, user_id: i64, meta: &RequestMeta) -> AppResult<Reservation> {
    state.address_limiter.check(meta.ip, user_id, state.clock.now())?;
    attempts::reserve(&state.db, Counter::second_factor(user_id), state.clock.now()).await
}

/// Closes an attempt; a failure is logged (and the lockout too, when this
/// failure started one).
pub async fn end_attempt(
    state: &AppState,
    attempt: Reservation,
    user_id: i64,
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
    events::record(&state.db, user_id, SecurityEvent::FailedCode, meta, now).await?;
    if attempt.locked(now) {
        events::record(&state.db, user_id, SecurityEvent::Lockout, meta, now).await?;
    }
    Ok(())
}

fn outcome(factor: Option<Factor>) -> Outcome {
    if factor.is_some() {
        Outcome::OwnFactor
    } else {
        Outcome::Failed
    }
}

/// Checks a code against the account's stored factors, consuming what it
/// uses (the TOTP step, or the backup code). Does not count attempts.
async fn check_stored(state: &AppState, user_id: i64, parsed: &Parsed) -> AppResult<Option<Factor>> {
    let now = state.clock.now();
    match parsed {
        Parsed::Totp(code) => {
            let Some(credential) = credentials::load(&state.db, &state.keys, user_id).await? else { return Ok(None) };
            match totp::matching_step(&credential.secret, code, now) {
                Some(step) if credentials::claim_step(&state.db, user_id, step).await? => Ok(Some(Factor::Totp)),
                _ => Ok(None),
            }
        }
        Parsed::Backup(code) => {
            let used = credentials::use_backup_code(&state.db, &state.keys, user_id, code, now).await?;
            Ok(used.then_some(Factor::BackupCode))
        }
    }
}

/// The whole second-factor check for an account with 2FA on.
// `skip_all`: codes and secrets never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn verify(
    state: &AppState,
    user_id: i64,
    raw: &str,
    accept: Accept,
    meta: &RequestMeta,
) -> AppResult<Factor> {
    let parsed = parse(raw, accept)?;
    let attempt = begin_attempt(state, user_id, meta).await?;
    let factor = check_stored(state, user_id, &parsed).await?;
    end_attempt(state, attempt, user_id, outcome(factor), meta).await?;
    let factor = factor.ok_or_else(|| wrong(accept))?;
    if factor == Factor::BackupCode {
        events::record(&state.db, user_id, SecurityEvent::RecoveryCodeUsed, meta, state.clock.now()).await?;
    }
    Ok(factor)
}

/// Re-authentication before a 2FA change: the password, and a code when
/// `code` is given. One attempt on the same counter as every code check;
/// only a right code clears it, a right password alone leaves it as it was.
// `skip_all`: codes and secrets never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn reauthenticate(
    state: &AppState,
    user_id: i64,
    email: &str,
    password: String,
    code: Option<(&str, Accept)>,
    meta: &RequestMeta,
) -> AppResult<Option<Factor>> {
    crate::validate::password_length(&password)?;
    let parsed = code.map(|(raw, accept)| parse(raw, accept).map(|p| (p, accept))).transpose()?;
    let attempt = begin_attempt(state, user_id, meta).await?;
    let hash = super::users::find_with_hash(&state.db, email).await?.map(|(_, hash)| hash);
    let password_ok = match state.hasher.verify(password, hash).await {
        Ok(ok) => ok,
        // Not decided (the hasher is busy): not a failure either.
        Err(e) => {
            attempt.release(&state.db).await?;
            return Err(e);
        }
    };
    if !password_ok {
        end_attempt(state, attempt, user_id, Outcome::Failed, meta).await?;
        return Err(AppError::validation("password", "That password is not right."));
    }
    let factor = match &parsed {
        None => None,
        Some((parsed, accept)) => match check_stored(state, user_id, parsed).await? {
            Some(factor) => Some(factor),
            None => {
                end_attempt(state, attempt, user_id, Outcome::Failed, meta).await?;
                return Err(wrong(*accept));
            }
        },
    };
    let outcome = if factor.is_some() { Outcome::OwnFactor } else { Outcome::NoFailure };
    end_attempt(state, attempt, user_id, outcome, meta).await?;
    if factor == Some(Factor::BackupCode) {
        events::record(&state.db, user_id, SecurityEvent::RecoveryCodeUsed, meta, state.clock.now()).await?;
    }
    Ok(factor)
}

/// Enrollment's "Check Code": the pending secret instead of a stored one.
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
    let code = totp::normalize_code(raw).ok_or_else(|| malformed(Accept::Totp))?;
    let attempt = begin_attempt(state, user_id, meta).await?;
    let now = state.clock.now();
    let step = totp::matching_step(secret, &code, now);
    // Whoever holds the session knows the pending secret: a right code here proves nothing.
    let outcome = if step.is_some() { Outcome::NoFailure } else { Outcome::Failed };
    end_attempt(state, attempt, user_id, outcome, meta).await?;
    step.ok_or_else(|| {
        AppError::validation(
            "code",
            format!(
                "Code {code} is not a valid two-factor authentication code for user {email}. \
                 Check that your device sets its clock automatically: the server's time is {}.",
                crate::model::format_utc_time(now)
            ),
        )
    })
}

pub async fn require_enabled(state: &AppState, user_id: i64) -> AppResult<()> {
    if credentials::is_enabled(&state.db, user_id).await? {
        Ok(())
    } else {
        Err(AppError::conflict("Two-factor authentication is not enabled."))
    }
}

/// The one place that may refuse turning 2FA off: while any organization of
/// the user requires it.
pub async fn may_disable(state: &AppState, user_id: i64) -> AppResult<()> {
    let requiring = super::orgs::requiring_two_factor(&state.db, user_id).await?;
    if requiring.is_empty() {
        return Ok(());
    }
    Err(AppError::forbidden(format!(
        "Two-factor authentication cannot be turned off: {} require{} it.",
        requiring.join(", "),
        if requiring.len() == 1 { "s" } else { "" }
    )))
}
