//! Stored second factors: the TOTP credential and the backup codes (the
//! phone number is `store::sms`, security keys `store::webauthn`).
//! Both are sealed with the server key; the user id is the associated data.

use sqlx::Row;

use crate::error::{AppError, AppResult};
use crate::factors::{Held, Kind, Kinds};
use crate::server::refusals::Refused;
use crate::twofactor::secret_box::Keys;
use crate::twofactor::totp::TotpSecret;

pub fn secret_context(user_id: i64) -> String {
    format!("totp-secret:{user_id}")
}

pub fn code_context(user_id: i64) -> String {
    format!("backup-code:{user_id}")
}

pub struct TotpCredential {
    pub secret: TotpSecret,
    pub enabled_at: i64,
}

fn undecryptable(user_id: i64) -> AppError {
    tracing::error!(user_id, "a stored secret does not decrypt: wrong PORTCULLIS_SECRET_KEY?");
    AppError::Internal
}

pub async fn load<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    keys: &Keys,
    user_id: i64,
) -> AppResult<Option<TotpCredential>> {
    let row = sqlx::query("SELECT secret_sealed, enabled_at FROM totp_credentials WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let sealed: Vec<u8> = row.try_get("secret_sealed")?;
    let secret = keys.open(&sealed, &secret_context(user_id)).map_err(|_| undecryptable(user_id))?;
    Ok(Some(TotpCredential { secret: TotpSecret::from_bytes(secret), enabled_at: row.try_get("enabled_at")? }))
}

/// Where each kind of second factor is stored: one row per factor, keyed by `user_id`.
fn table(kind: Kind) -> &'static str {
    match kind {
        Kind::App => "totp_credentials",
        Kind::SecurityKey => "webauthn_credentials",
        Kind::Sms => "sms_credentials",
    }
}

/// The SQL condition "the user `{user}` holds a second factor of a kind in `kinds`".
fn holds_sql(user: &str, kinds: Kinds) -> String {
    let exists: Vec<String> =
        kinds.iter().map(|k| format!("EXISTS (SELECT 1 FROM {} f WHERE f.user_id = {user})", table(k))).collect();
    if exists.is_empty() {
        return "(1 = 0)".to_string();
    }
    format!("({})", exists.join(" OR "))
}

/// SQL columns, one per kind, saying whether the user `{user}` holds it (`held_from_row` reads them).
pub fn held_columns_sql(user: &str) -> String {
    Kind::ALL
        .iter()
        .map(|k| {
            format!(
                "CAST(CASE WHEN {} THEN 1 ELSE 0 END AS BIGINT) AS holds_{}",
                holds_sql(user, Kinds::of([*k])),
                k.as_str()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn held_from_row(row: &sqlx::any::AnyRow) -> Result<Kinds, sqlx::Error> {
    Kind::ALL.into_iter().try_fold(Kinds::NONE, |kinds, kind| {
        Ok(kinds.with_if(kind, row.try_get::<i64, _>(format!("holds_{}", kind.as_str()).as_str())? == 1))
    })
}

/// 2FA is on: the account holds a second factor of some kind.
pub async fn is_enabled<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<bool> {
    Ok(held(db, user_id).await?.any())
}

/// The second factors the account holds.
pub async fn held<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<Held> {
    let row = sqlx::query(&format!("SELECT {}", held_columns())).bind(user_id).fetch_one(db).await?;
    held_from(&row)
}

/// A column per kind: how many of it the user `$1` holds.
fn held_columns() -> String {
    let counts: Vec<String> = Kind::ALL
        .iter()
        .map(|k| format!("(SELECT COUNT(*) FROM {} WHERE user_id = $1) AS {}", table(*k), k.as_str()))
        .collect();
    counts.join(", ")
}

fn held_from(row: &sqlx::any::AnyRow) -> AppResult<Held> {
    let mut held = Held::default();
    for kind in Kind::ALL {
        let n: i64 = row.try_get(kind.as_str())?;
        held.kinds = held.kinds.with_if(kind, n > 0);
        if kind == Kind::SecurityKey {
            held.security_keys = n;
        }
    }
    Ok(held)
}

/// What the Account page shows of an account's second factors, in one query
/// and without opening a secret: the factors held, since when the
/// authenticator app is on, the backup codes left, and the preferred kind.
pub struct Overview {
    pub held: Held,
    pub app_enabled_at: Option<i64>,
    pub codes_left: u32,
    pub preferred: Option<Kind>,
}

pub async fn overview<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<Overview> {
    let row = sqlx::query(&format!(
        "SELECT {}, (SELECT enabled_at FROM totp_credentials WHERE user_id = $1) AS app_enabled_at, \
         (SELECT COUNT(*) FROM backup_codes WHERE user_id = $1 AND used_at IS NULL) AS codes_left, \
         (SELECT preferred_factor FROM users WHERE id = $1) AS preferred",
        held_columns()
    ))
    .bind(user_id)
    .fetch_one(db)
    .await?;
    let preferred: Option<String> = row.try_get("preferred")?;
    Ok(Overview {
        held: held_from(&row)?,
        app_enabled_at: row.try_get("app_enabled_at")?,
        codes_left: row.try_get::<i64, _>("codes_left")?.max(0) as u32,
        preferred: preferred.as_deref().and_then(Kind::named),
    })
}

/// Accepts a code's time step only if it is later than every step accepted
/// before. One conditional UPDATE: of concurrent uses of one code, exactly one wins.
pub async fn claim_step<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    step: i64,
) -> AppResult<bool> {
    let done = sqlx::query("UPDATE totp_credentials SET last_step = $1 WHERE user_id = $2 AND last_step < $1")
        .bind(step)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a backup code used; true only for the one request that did so.
/// During a key rotation a code may still be stored under a previous key's hash.
pub async fn use_backup_code(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    keys: &Keys,
    user_id: i64,
    normalized: &str,
    now: i64,
) -> AppResult<bool> {
    for lookup_hash in keys.lookup_hashes(normalized) {
        let done = sqlx::query(
            "UPDATE backup_codes SET used_at = $1 WHERE user_id = $2 AND lookup_hash = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .bind(lookup_hash)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(true);
        }
    }
    Ok(false)
}

pub async fn codes_left<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<u32> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM backup_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .fetch_one(db)
        .await?;
    Ok(row.try_get::<i64, _>("n")?.max(0) as u32)
}

/// Every backup code, decrypted, with whether it was used.
pub async fn backup_codes<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    keys: &Keys,
    user_id: i64,
) -> AppResult<Vec<(String, bool)>> {
    let rows = sqlx::query("SELECT code_sealed, used_at FROM backup_codes WHERE user_id = $1 ORDER BY position")
        .bind(user_id)
        .fetch_all(db)
        .await?;
    rows.iter()
        .map(|row| {
            let sealed: Vec<u8> = row.try_get("code_sealed")?;
            let code = keys.open(&sealed, &code_context(user_id)).map_err(|_| undecryptable(user_id))?;
            let used: Option<i64> = row.try_get("used_at")?;
            Ok((String::from_utf8_lossy(&code).into_owned(), used.is_some()))
        })
        .collect()
}

/// Replaces the backup codes inside a transaction: the old set dies with the commit.
pub async fn replace_backup_codes(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    keys: &Keys,
    user_id: i64,
    codes: &[String],
) -> AppResult<()> {
    sqlx::query("DELETE FROM backup_codes WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    for (position, code) in codes.iter().enumerate() {
        sqlx::query("INSERT INTO backup_codes (user_id, position, lookup_hash, code_sealed) VALUES ($1, $2, $3, $4)")
            .bind(user_id)
            .bind(position as i64)
            .bind(keys.lookup_hash(code))
            .bind(keys.seal(code.as_bytes(), &code_context(user_id)))
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Turns 2FA on: secret and codes in one transaction. `verified_step` is the
/// step of the code shown at enrollment, which therefore cannot log in again.
pub async fn enable(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    keys: &Keys,
    user_id: i64,
    secret: &TotpSecret,
    verified_step: i64,
    codes: &[String],
    now: i64,
) -> AppResult<()> {
    let inserted = sqlx::query(
        "INSERT INTO totp_credentials (user_id, secret_sealed, last_step, enabled_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(keys.seal(secret.as_bytes(), &secret_context(user_id)))
    .bind(verified_step)
    .bind(now)
    .execute(&mut **tx)
    .await;
    match inserted {
        Ok(_) => replace_backup_codes(tx, keys, user_id, codes).await,
        Err(e) if crate::server::db::is_unique_violation(&e) => Err(Refused::TwoFactorAlreadyOn.into()),
        Err(e) => Err(e.into()),
    }
}

/// Turns 2FA off inside the caller's transaction (with its log row and session changes).
pub async fn disable_in(tx: &mut sqlx::Transaction<'_, sqlx::Any>, user_id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM backup_codes WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    for table in Kind::ALL.map(table) {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1")).bind(user_id).execute(&mut **tx).await?;
    }
    Ok(())
}

/// An admin's reset: turns the target's 2FA off only if the target still
/// has `target_role` in `org_id`, the actor still has `actor_role` there,
/// and the target manages no other organization; false otherwise.
pub async fn disable_for_reset(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    org_id: i64,
    (target_id, target_role): (i64, crate::model::Role),
    (actor_id, actor_role): (i64, crate::model::Role),
) -> AppResult<bool> {
    // Every kind of factor goes (the app and every security key), on the same conditions.
    let mut removed = 0;
    for table in Kind::ALL.map(table) {
        let done = sqlx::query(&format!(
            "DELETE FROM {table} WHERE user_id = $2 \
             AND EXISTS (SELECT 1 FROM memberships t WHERE t.org_id = $1 AND t.user_id = $2 AND t.role = $3) \
             AND EXISTS (SELECT 1 FROM memberships a WHERE a.org_id = $1 AND a.user_id = $4 AND a.role = $5) \
             AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.user_id = $2 AND o.org_id <> $1 AND o.role IN ('owner', 'admin'))"
        ))
        .bind(org_id)
        .bind(target_id)
        .bind(target_role.as_str())
        .bind(actor_id)
        .bind(actor_role.as_str())
        .execute(&mut **tx)
        .await?;
        removed += done.rows_affected();
    }
    if removed == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM backup_codes WHERE user_id = $1").bind(target_id).execute(&mut **tx).await?;
    Ok(true)
}
