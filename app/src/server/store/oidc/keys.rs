//! ES256 signing keys, sealed with the server key. The newest unretired
//! key signs; `portcullis signing-key rotate` retires it and makes a new
//! one; a retired key stays in the JWKS until every ID token it signed has
//! expired, then it is deleted.

use serde_json::Value;
use sqlx::Row;

use crate::error::{AppError, AppResult};
use crate::oidc::jws::SigningKey;
use crate::oidc::tokens::ID_TOKEN_SECS;
use crate::server::db::Db;
use crate::twofactor::secret_box::Keys;

/// Clocks of relying parties drift: a retired key stays this much longer.
const SKEW_SECS: i64 = 300;

pub fn context(kid: &str) -> String {
    format!("oidc-signing-key:{kid}")
}

fn open(keys: &Keys, kid: &str, sealed: &[u8]) -> AppResult<SigningKey> {
    keys.open(sealed, &context(kid)).ok().and_then(|bytes| SigningKey::from_bytes(&bytes)).ok_or_else(|| {
        tracing::error!(kid, "a signing key does not decrypt: wrong PORTCULLIS_SECRET_KEY?");
        AppError::Internal
    })
}

async fn insert(conn: &mut sqlx::AnyConnection, keys: &Keys, now: i64) -> AppResult<SigningKey> {
    let key = SigningKey::generate();
    sqlx::query("INSERT INTO oidc_signing_keys (kid, key_sealed, created_at) VALUES ($1, $2, $3)")
        .bind(key.kid())
        .bind(keys.seal(&key.to_bytes(), &context(key.kid())))
        .bind(now)
        .execute(conn)
        .await?;
    tracing::info!(kid = key.kid(), "made a new OpenID Connect signing key");
    Ok(key)
}

/// The key that signs now; the first one is made on first use. (Two
/// instances making one at once each sign with their own: both are published.)
pub async fn current(db: &Db, keys: &Keys, now: i64) -> AppResult<SigningKey> {
    let row = sqlx::query(
        "SELECT kid, key_sealed FROM oidc_signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid DESC LIMIT 1",
    )
    .fetch_optional(db)
    .await?;
    match row {
        Some(row) => open(keys, &row.try_get::<String, _>("kid")?, &row.try_get::<Vec<u8>, _>("key_sealed")?),
        None => insert(&mut *db.acquire().await?, keys, now).await,
    }
}

/// Retires every current key and makes a new one, in one transaction.
pub async fn rotate(db: &Db, keys: &Keys, now: i64) -> AppResult<(String, u64)> {
    let mut tx = crate::server::db::begin_write(db).await?;
    let retired = sqlx::query("UPDATE oidc_signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let key = insert(&mut tx, keys, now).await?;
    tx.commit().await?;
    Ok((key.kid().to_string(), retired))
}

/// The JWKS: current keys and those retired recently enough that tokens they signed are still valid.
pub async fn published(db: &Db, keys: &Keys, now: i64) -> AppResult<Vec<Value>> {
    let rows = sqlx::query(
        "SELECT kid, key_sealed FROM oidc_signing_keys WHERE retired_at IS NULL OR retired_at > $1 ORDER BY created_at DESC, kid",
    )
    .bind(now - ID_TOKEN_SECS - SKEW_SECS)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| Ok(open(keys, &r.try_get::<String, _>("kid")?, &r.try_get::<Vec<u8>, _>("key_sealed")?)?.public_jwk()))
        .collect()
}

/// Keys retired long enough ago that nothing they signed is valid any more.
pub async fn delete_retired(db: &Db, now: i64) -> AppResult<u64> {
    let done = sqlx::query("DELETE FROM oidc_signing_keys WHERE retired_at IS NOT NULL AND retired_at <= $1")
        .bind(now - ID_TOKEN_SECS - SKEW_SECS)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Every stored key as (kid, sealed), for re-sealing after a server key rotation.
pub async fn all_sealed(db: &Db) -> AppResult<Vec<(String, Vec<u8>)>> {
    let rows = sqlx::query("SELECT kid, key_sealed FROM oidc_signing_keys").fetch_all(db).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("kid")?, r.try_get("key_sealed")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Compare-and-set: false when the row changed meanwhile.
pub async fn reseal(db: &Db, kid: &str, old: &[u8], new: &[u8]) -> AppResult<bool> {
    let done = sqlx::query("UPDATE oidc_signing_keys SET key_sealed = $1 WHERE kid = $2 AND key_sealed = $3")
        .bind(new)
        .bind(kid)
        .bind(old)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}
