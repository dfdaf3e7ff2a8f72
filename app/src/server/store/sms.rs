//! Text messages as a second factor: the account's verified number (sealed
//! with the server key), a number being set up (bound to the session that
//! asked), every code sent (a keyed hash, used once), and the day's count
//! of sends across instances.

use sqlx::Row;

use crate::error::{AppError, AppResult};
use crate::server::db::Db;
use crate::twofactor::secret_box::Keys;
use crate::twofactor::sms::{self, PhoneNumber};

/// How long a number being set up waits for its code and the backup codes.
pub const ENROLLMENT_SECS: i64 = 15 * 60;

/// What a code may open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The second step of a login (bound to the pending login's token hash).
    Login,
    /// A number being set up (bound to the session's hash).
    Enroll,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Login => "login",
            Purpose::Enroll => "enroll",
        }
    }
}

/// What a stored number is sealed for (`key_rotation` re-seals it).
pub fn phone_context(user_id: i64) -> String {
    format!("sms-phone:{user_id}")
}

fn open_phone(keys: &Keys, user_id: i64, sealed: &[u8]) -> AppResult<PhoneNumber> {
    let e164 = keys.open(sealed, &phone_context(user_id)).map_err(|_| {
        tracing::error!(user_id, "a stored phone number does not decrypt: wrong PORTCULLIS_SECRET_KEY?");
        AppError::Internal
    })?;
    Ok(PhoneNumber::from_stored(&String::from_utf8_lossy(&e164)))
}

/// The account's verified number, if text messages are one of its factors.
pub async fn phone<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    keys: &Keys,
    user_id: i64,
) -> AppResult<Option<PhoneNumber>> {
    let row = sqlx::query("SELECT phone_sealed FROM sms_credentials WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    row.map(|row| open_phone(keys, user_id, &row.try_get::<Vec<u8>, _>("phone_sealed")?)).transpose()
}

/// Makes `phone` the account's number (a first one, or a change).
pub async fn set_phone(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    keys: &Keys,
    user_id: i64,
    phone: &PhoneNumber,
    now: i64,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO sms_credentials (user_id, phone_sealed, enabled_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET phone_sealed = excluded.phone_sealed, enabled_at = excluded.enabled_at",
    )
    .bind(user_id)
    .bind(keys.seal(phone.e164().as_bytes(), &phone_context(user_id)))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Removes the number; true only for the request that did.
pub async fn remove_phone(tx: &mut sqlx::Transaction<'_, sqlx::Any>, user_id: i64) -> AppResult<bool> {
    let done = sqlx::query("DELETE FROM sms_credentials WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    Ok(done.rows_affected() == 1)
}

/// A number being set up in this session.
pub struct Enrollment {
    pub phone: PhoneNumber,
    /// Its code was checked.
    pub verified: bool,
    /// The backup codes made at the check (2FA was off), shown until saved.
    pub codes: Option<Vec<String>>,
}

fn enrollment_context(user_id: i64) -> String {
    format!("sms-enrollment:{user_id}")
}

/// Starts over with `phone` (an earlier number in this session is dropped).
pub async fn start_enrollment(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    keys: &Keys,
    (session_hash, user_id): (&str, i64),
    phone: &PhoneNumber,
    now: i64,
) -> AppResult<()> {
    sqlx::query("DELETE FROM sms_enrollments WHERE session_hash = $1").bind(session_hash).execute(&mut **tx).await?;
    // A code sent to the number typed before must not verify this one.
    sqlx::query("UPDATE sms_sends SET used_at = $1 WHERE bound_to = $2 AND purpose = $3 AND used_at IS NULL")
        .bind(now)
        .bind(session_hash)
        .bind(Purpose::Enroll.as_str())
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO sms_enrollments (session_hash, user_id, phone_sealed, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(session_hash)
    .bind(user_id)
    .bind(keys.seal(phone.e164().as_bytes(), &enrollment_context(user_id)))
    .bind(now + ENROLLMENT_SECS)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn enrollment(
    db: &Db,
    keys: &Keys,
    (session_hash, user_id): (&str, i64),
    now: i64,
) -> AppResult<Option<Enrollment>> {
    let row = sqlx::query(
        "SELECT phone_sealed, verified, codes_sealed FROM sms_enrollments \
         WHERE session_hash = $1 AND user_id = $2 AND expires_at > $3",
    )
    .bind(session_hash)
    .bind(user_id)
    .bind(now)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let context = enrollment_context(user_id);
    let gone = |_| AppError::from(crate::server::refusals::Refused::EnrollmentExpired);
    let phone = keys.open(&row.try_get::<Vec<u8>, _>("phone_sealed")?, &context).map_err(gone)?;
    let codes = match row.try_get::<Option<Vec<u8>>, _>("codes_sealed")? {
        Some(sealed) => {
            let plain = keys.open(&sealed, &context).map_err(gone)?;
            Some(serde_json::from_slice(&plain).map_err(|_| AppError::Internal)?)
        }
        None => None,
    };
    Ok(Some(Enrollment {
        phone: PhoneNumber::from_stored(&String::from_utf8_lossy(&phone)),
        verified: row.try_get::<i64, _>("verified")? == 1,
        codes,
    }))
}

/// Marks the number verified (with the backup codes to show, if any);
/// conditional, so two right codes at once make one set of codes.
pub async fn mark_verified(
    db: &Db,
    keys: &Keys,
    (session_hash, user_id): (&str, i64),
    codes: Option<&[String]>,
) -> AppResult<bool> {
    let sealed = codes
        .map(|codes| serde_json::to_vec(codes).map(|json| keys.seal(&json, &enrollment_context(user_id))))
        .transpose()
        .map_err(|_| AppError::Internal)?;
    let done = sqlx::query(
        "UPDATE sms_enrollments SET verified = 1, codes_sealed = $1 WHERE session_hash = $2 AND user_id = $3 AND verified = 0",
    )
    .bind(sealed)
    .bind(session_hash)
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Consumes a verified enrollment in the commit that changes the account.
pub async fn consume_enrollment(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    (session_hash, user_id): (&str, i64),
) -> AppResult<bool> {
    let done = sqlx::query("DELETE FROM sms_enrollments WHERE session_hash = $1 AND user_id = $2 AND verified = 1")
        .bind(session_hash)
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn cancel_enrollment(db: &Db, session_hash: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sms_enrollments WHERE session_hash = $1").bind(session_hash).execute(db).await?;
    Ok(())
}

fn binding(purpose: Purpose, bound_to: &str) -> String {
    format!("{}:{bound_to}", purpose.as_str())
}

/// Records a code sent for `(purpose, bound_to)`; earlier codes for it stop working.
pub async fn record_send(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    keys: &Keys,
    user_id: i64,
    (purpose, bound_to): (Purpose, &str),
    code: &str,
    now: i64,
) -> AppResult<()> {
    sqlx::query("UPDATE sms_sends SET used_at = $1 WHERE bound_to = $2 AND purpose = $3 AND used_at IS NULL")
        .bind(now)
        .bind(bound_to)
        .bind(purpose.as_str())
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO sms_sends (user_id, purpose, bound_to, code_hash, sent_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(bound_to)
    .bind(sms::code_hash(keys, user_id, &binding(purpose, bound_to), code))
    .bind(now)
    .bind(now + sms::CODE_SECS)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// When the last code for `(purpose, bound_to)` was sent.
pub async fn last_sent_at(db: &Db, (purpose, bound_to): (Purpose, &str)) -> AppResult<Option<i64>> {
    let row = sqlx::query("SELECT MAX(sent_at) AS at FROM sms_sends WHERE bound_to = $1 AND purpose = $2")
        .bind(bound_to)
        .bind(purpose.as_str())
        .fetch_one(db)
        .await?;
    Ok(row.try_get("at")?)
}

/// Uses the live code for `(purpose, bound_to)` if `typed` is it: one
/// conditional UPDATE, so of two requests with the right code one wins.
pub async fn use_code<'c>(
    tx: &mut sqlx::Transaction<'c, sqlx::Any>,
    keys: &Keys,
    user_id: i64,
    (purpose, bound_to): (Purpose, &str),
    typed: &str,
    now: i64,
) -> AppResult<bool> {
    let row = sqlx::query(
        "SELECT id, code_hash FROM sms_sends WHERE bound_to = $1 AND purpose = $2 AND user_id = $3 \
         AND used_at IS NULL AND expires_at > $4 ORDER BY id DESC LIMIT 1",
    )
    .bind(bound_to)
    .bind(purpose.as_str())
    .bind(user_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(false) };
    let stored: String = row.try_get("code_hash")?;
    if !sms::matches(keys, user_id, &binding(purpose, bound_to), typed, &stored) {
        return Ok(false);
    }
    let done = sqlx::query("UPDATE sms_sends SET used_at = $1 WHERE id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(row.try_get::<i64, _>("id")?)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Counts one send against the day's cap (all instances): false, and
/// nothing counted, once `limit` were sent today.
pub async fn count_today(db: &Db, now: i64, limit: i64) -> AppResult<bool> {
    if limit <= 0 {
        return Ok(false);
    }
    let row = sqlx::query(
        "INSERT INTO sms_daily (day, sent) VALUES ($1, 1) ON CONFLICT (day) DO UPDATE SET sent = sms_daily.sent + 1 \
         WHERE sms_daily.sent < $2 RETURNING sent",
    )
    .bind(now.div_euclid(86_400))
    .bind(limit)
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

/// Seconds until the next day (UTC) begins: when the daily cap counts again.
pub fn secs_to_next_day(now: i64) -> i64 {
    86_400 - now.rem_euclid(86_400)
}

/// Codes past their use, enrollments past their time, days long gone.
pub async fn delete_expired(db: &Db, now: i64) -> AppResult<u64> {
    let mut deleted = 0;
    for (sql, at) in [
        ("DELETE FROM sms_sends WHERE expires_at <= $1", now - 86_400),
        ("DELETE FROM sms_enrollments WHERE expires_at <= $1", now),
        ("DELETE FROM sms_daily WHERE day < $1", now.div_euclid(86_400) - 2),
    ] {
        deleted += sqlx::query(sql).bind(at).execute(db).await?.rows_affected();
    }
    Ok(deleted)
}
