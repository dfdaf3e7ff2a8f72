//! Enrollment as an explicit state machine, held server-side and bound to
//! the session that started it:
//!
//! `Started` (secret made, QR shown) --right code--> `Verified` (backup codes
//! made and shown) --"I've Saved my Codes"--> committed to `credentials`.
//!
//! Nothing touches the account until that commit; a closed tab, a crash or
//! an expiry leaves 2FA off. The secret never comes back from the browser.

use sqlx::Row;

use crate::error::{AppError, AppResult};
use crate::server::db::Db;
use crate::server::refusals::Refused;
use crate::twofactor::secret_box::Keys;
use crate::twofactor::totp::TotpSecret;

/// How long an unfinished enrollment lives.
pub const LIFETIME_SECS: i64 = 15 * 60;

pub enum Enrollment {
    Started { secret: TotpSecret },
    Verified { secret: TotpSecret, step: i64, codes: Vec<String> },
}

pub fn context(user_id: i64) -> String {
    format!("enrollment:{user_id}")
}

fn expired() -> AppError {
    Refused::EnrollmentExpired.into()
}

/// Starts over with a fresh secret (any earlier attempt in this session is discarded).
pub async fn start(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    keys: &Keys,
    session_hash: &str,
    user_id: i64,
    now: i64,
) -> AppResult<TotpSecret> {
    let secret = TotpSecret::generate();
    sqlx::query("DELETE FROM totp_enrollments WHERE session_hash = $1").bind(session_hash).execute(&mut **tx).await?;
    sqlx::query(
        "INSERT INTO totp_enrollments (session_hash, user_id, secret_sealed, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(session_hash)
    .bind(user_id)
    .bind(keys.seal(secret.as_bytes(), &context(user_id)))
    .bind(now + LIFETIME_SECS)
    .execute(&mut **tx)
    .await?;
    Ok(secret)
}

pub async fn load(db: &Db, keys: &Keys, session_hash: &str, user_id: i64, now: i64) -> AppResult<Enrollment> {
    let row = sqlx::query(
        "SELECT secret_sealed, verified_step, codes_sealed FROM totp_enrollments \
         WHERE session_hash = $1 AND user_id = $2 AND expires_at > $3",
    )
    .bind(session_hash)
    .bind(user_id)
    .bind(now)
    .fetch_optional(db)
    .await?
    .ok_or_else(expired)?;
    let open = |column: &str| -> AppResult<Vec<u8>> {
        let sealed: Vec<u8> = row.try_get(column)?;
        keys.open(&sealed, &context(user_id)).map_err(|_| expired())
    };
    let secret = TotpSecret::from_bytes(open("secret_sealed")?);
    let step: Option<i64> = row.try_get("verified_step")?;
    Ok(match step {
        None => Enrollment::Started { secret },
        Some(step) => {
            let codes = serde_json::from_slice(&open("codes_sealed")?).map_err(|_| expired())?;
            Enrollment::Verified { secret, step, codes }
        }
    })
}

/// Started -> Verified. Conditional, so two concurrent right codes make one set of codes.
pub async fn mark_verified(
    db: &Db,
    keys: &Keys,
    session_hash: &str,
    user_id: i64,
    step: i64,
    codes: &[String],
) -> AppResult<bool> {
    let sealed = keys.seal(&serde_json::to_vec(codes).map_err(|_| AppError::Internal)?, &context(user_id));
    let done = sqlx::query("UPDATE totp_enrollments SET verified_step = $1, codes_sealed = $2 WHERE session_hash = $3 AND verified_step IS NULL")
        .bind(step)
        .bind(sealed)
        .bind(session_hash)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Consumes this session's enrollment inside the commit that turns 2FA on:
/// false when it is gone (2FA was turned on elsewhere, which ended this
/// session and voided its enrollment), and then nothing may change.
pub async fn consume(tx: &mut sqlx::Transaction<'_, sqlx::Any>, session_hash: &str, user_id: i64) -> AppResult<bool> {
    let done = sqlx::query("DELETE FROM totp_enrollments WHERE session_hash = $1 AND user_id = $2")
        .bind(session_hash)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(executor: impl sqlx::Executor<'_, Database = sqlx::Any>, session_hash: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM totp_enrollments WHERE session_hash = $1").bind(session_hash).execute(executor).await?;
    Ok(())
}

pub async fn delete_expired(db: &Db, now: i64) -> AppResult<u64> {
    let done = sqlx::query("DELETE FROM totp_enrollments WHERE expires_at <= $1").bind(now).execute(db).await?;
    Ok(done.rows_affected())
}
