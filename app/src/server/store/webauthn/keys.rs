//! The stored security keys and passkeys: queries and conditional writes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sqlx::Row;
use webauthn_rs::prelude::{AuthenticationResult, Passkey};

use crate::error::{AppError, AppResult};
use crate::security_keys::{KeyKind, SecurityKey};

/// How the browser names a credential (base64url of its raw id).
pub fn credential_name(raw_id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(raw_id)
}

/// What webauthn-rs keeps of a key, and the flags and counter we show and check.
pub struct Stored {
    pub id: i64,
    pub user_id: i64,
    pub passkey: Passkey,
    pub sign_count: i64,
}

/// The counter and backup flags of a key, read from webauthn-rs's own
/// serialisation (its accessors are behind the "danger" feature).
fn flags(passkey: &Passkey) -> (i64, bool, bool) {
    let value = serde_json::to_value(passkey).unwrap_or_default();
    let cred = &value["cred"];
    (
        cred["counter"].as_i64().unwrap_or(0),
        cred["backup_eligible"].as_bool().unwrap_or(false),
        cred["backup_state"].as_bool().unwrap_or(false),
    )
}

fn to_json(passkey: &Passkey) -> AppResult<String> {
    serde_json::to_string(passkey).map_err(|_| AppError::Internal)
}

fn stored_from(row: &sqlx::any::AnyRow) -> AppResult<Stored> {
    let json: String = row.try_get("passkey")?;
    let passkey = serde_json::from_str(&json).map_err(|e| {
        tracing::error!(error = %e, "a stored passkey does not parse");
        AppError::Internal
    })?;
    Ok(Stored {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        passkey,
        sign_count: row.try_get("sign_count")?,
    })
}

/// Stores a registered key; `Ok(false)` when its credential id is registered
/// already (to this account or another).
pub async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    name: &str,
    passkey: &Passkey,
    now: i64,
) -> AppResult<Option<SecurityKey>> {
    let (count, eligible, backed_up) = flags(passkey);
    let row = sqlx::query(
        "INSERT INTO webauthn_credentials \
         (user_id, credential_id, name, passkey, sign_count, backup_eligible, backed_up, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(user_id)
    .bind(credential_name(passkey.cred_id().as_ref()))
    .bind(name)
    .bind(to_json(passkey)?)
    .bind(count)
    .bind(i64::from(eligible))
    .bind(i64::from(backed_up))
    .bind(now)
    .fetch_one(&mut **tx)
    .await;
    match row {
        Ok(row) => Ok(Some(SecurityKey {
            id: row.try_get("id")?,
            name: name.to_string(),
            kind: KeyKind::from_flags(eligible, backed_up),
            created_at: now,
            last_used_at: None,
        })),
        Err(e) if crate::server::db::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub async fn list<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<Vec<SecurityKey>> {
    let rows = sqlx::query(
        "SELECT id, name, backup_eligible, backed_up, created_at, last_used_at FROM webauthn_credentials \
         WHERE user_id = $1 ORDER BY created_at, id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SecurityKey {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                kind: KeyKind::from_flags(
                    row.try_get::<i64, _>("backup_eligible")? == 1,
                    row.try_get::<i64, _>("backed_up")? == 1,
                ),
                created_at: row.try_get("created_at")?,
                last_used_at: row.try_get("last_used_at")?,
            })
        })
        .collect()
}

pub async fn count<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM webauthn_credentials WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await?)
}

/// Every key of the account, for an authentication's allow list.
pub async fn passkeys<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<Vec<Stored>> {
    let rows = sqlx::query("SELECT id, user_id, passkey, sign_count FROM webauthn_credentials WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(db)
        .await?;
    rows.iter().map(stored_from).collect()
}

/// The key a discoverable credential names, if it belongs to the account
/// whose user handle the authenticator returned.
pub async fn find_discoverable<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    raw_id: &[u8],
    handle: &str,
) -> AppResult<Option<Stored>> {
    let row = sqlx::query(
        "SELECT c.id, c.user_id, c.passkey, c.sign_count FROM webauthn_credentials c JOIN users u ON u.id = c.user_id \
         WHERE c.credential_id = $1 AND u.webauthn_handle = $2",
    )
    .bind(credential_name(raw_id))
    .bind(handle)
    .fetch_optional(db)
    .await?;
    row.as_ref().map(stored_from).transpose()
}

/// Records a successful use: the new counter, flags and last use, only if the
/// counter moved forward from what the check saw (or both are 0, for
/// authenticators without one). Of two assertions racing on one key, one wins.
pub async fn record_use<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    key: &Stored,
    result: &AuthenticationResult,
    now: i64,
) -> AppResult<bool> {
    let mut passkey = key.passkey.clone();
    passkey.update_credential(result);
    let (count, eligible, backed_up) = flags(&passkey);
    let done = sqlx::query(
        "UPDATE webauthn_credentials SET passkey = $1, sign_count = $2, backup_eligible = $3, backed_up = $4, \
         last_used_at = $5 WHERE id = $6 AND sign_count = $7 AND ($2 > $7 OR ($2 = 0 AND $7 = 0))",
    )
    .bind(to_json(&passkey)?)
    .bind(count)
    .bind(i64::from(eligible))
    .bind(i64::from(backed_up))
    .bind(now)
    .bind(key.id)
    .bind(key.sign_count)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn rename<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    id: i64,
    name: &str,
) -> AppResult<bool> {
    let done = sqlx::query("UPDATE webauthn_credentials SET name = $1 WHERE id = $2 AND user_id = $3")
        .bind(name)
        .bind(id)
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    id: i64,
) -> AppResult<Option<String>> {
    // The name, for the mail that tells the owner which key went.
    let row = sqlx::query("DELETE FROM webauthn_credentials WHERE id = $1 AND user_id = $2 RETURNING name")
        .bind(id)
        .bind(user_id)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| r.try_get("name")).transpose()?)
}
