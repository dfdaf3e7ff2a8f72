//! Signing keys (one RS256 and one ES256 in use), sealed with the server
//! key. The newest unretired key of an algorithm signs; `portcullis
//! signing-key rotate` retires them and makes new ones; a retired key stays
//! in the JWKS until every ID token it signed has expired, then it is deleted.

use serde_json::Value;
use sqlx::Row;

use crate::error::{AppError, AppResult};
use crate::oidc::jws::{SigningAlg, SigningKey};
use crate::oidc::tokens::ID_TOKEN_SECS;
use crate::server::db::Db;
use crate::twofactor::secret_box::Keys;

/// Clocks of relying parties drift: a retired key stays this much longer.
const SKEW_SECS: i64 = 300;

pub fn context(kid: &str) -> String {
    format!("oidc-signing-key:{kid}")
}

fn open(keys: &Keys, row: &sqlx::any::AnyRow) -> AppResult<SigningKey> {
    let kid: String = row.try_get("kid")?;
    let sealed: Vec<u8> = row.try_get("key_sealed")?;
    let alg = SigningAlg::parse(&row.try_get::<String, _>("alg")?);
    let key = alg.and_then(|alg| SigningKey::from_bytes(alg, &keys.open(&sealed, &context(&kid)).ok()?));
    key.ok_or_else(|| {
        tracing::error!(kid, "a signing key does not decrypt: wrong PORTCULLIS_SECRET_KEY?");
        AppError::Internal
    })
}

async fn insert(conn: &mut sqlx::AnyConnection, keys: &Keys, alg: SigningAlg, now: i64) -> AppResult<SigningKey> {
    // RSA key generation is seconds of CPU: off the async workers.
    let key = tokio::task::spawn_blocking(move || SigningKey::generate(alg)).await.ok().flatten().ok_or_else(|| {
        tracing::error!(alg = alg.as_str(), "could not make a signing key");
        AppError::Internal
    })?;
    sqlx::query("INSERT INTO oidc_signing_keys (kid, alg, key_sealed, created_at) VALUES ($1, $2, $3, $4)")
        .bind(key.kid())
        .bind(alg.as_str())
        .bind(keys.seal(key.to_bytes(), &context(key.kid())))
        .bind(now)
        .execute(conn)
        .await?;
    tracing::info!(kid = key.kid(), alg = alg.as_str(), "made a new OpenID Connect signing key");
    Ok(key)
}

/// The key of `alg` that signs now; the first one is made on first use. (Two
/// instances making one at once each sign with their own: both are published.)
pub async fn current(db: &Db, keys: &Keys, alg: SigningAlg, now: i64) -> AppResult<SigningKey> {
    let row = sqlx::query(
        "SELECT kid, alg, key_sealed FROM oidc_signing_keys WHERE retired_at IS NULL AND alg = $1 \
         ORDER BY created_at DESC, kid DESC LIMIT 1",
    )
    .bind(alg.as_str())
    .fetch_optional(db)
    .await?;
    match row {
        Some(row) => open(keys, &row),
        None => insert(&mut *db.acquire().await?, keys, alg, now).await,
    }
}

/// Retires every current key and makes a new one of each algorithm, in one
/// transaction: the new key ids, and how many keys were retired.
pub async fn rotate(db: &Db, keys: &Keys, now: i64) -> AppResult<(Vec<String>, u64)> {
    let mut tx = crate::server::db::begin_write(db).await?;
    let retired = sqlx::query("UPDATE oidc_signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let mut made = Vec::new();
    for alg in SigningAlg::ALL {
        made.push(insert(&mut tx, keys, alg, now).await?.kid().to_string());
    }
    tx.commit().await?;
    Ok((made, retired))
}

/// The JWKS: current keys and those retired recently enough that tokens they signed are still valid.
pub async fn published(db: &Db, keys: &Keys, now: i64) -> AppResult<Vec<Value>> {
    let rows = sqlx::query(
        "SELECT kid, alg, key_sealed FROM oidc_signing_keys WHERE retired_at IS NULL OR retired_at > $1 \
         ORDER BY created_at DESC, kid",
    )
    .bind(now - ID_TOKEN_SECS - SKEW_SECS)
    .fetch_all(db)
    .await?;
    rows.iter().map(|r| Ok(open(keys, r)?.public_jwk())).collect()
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
