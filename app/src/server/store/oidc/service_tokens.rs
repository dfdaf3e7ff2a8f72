//! Access tokens of the client credentials grant: they name a service (a
//! confidential client registered as one), never a user. Stored as their
//! SHA-256 like every other token.

use sqlx::Row;

use crate::error::AppResult;
use crate::oidc::tokens::{self, Kind};
use crate::server::db::Db;

/// A service token as found.
pub struct Found {
    pub hash: String,
    pub client: i64,
    pub scope: String,
    pub expires_at: i64,
}

/// A new access token for `client`; returns it (the only time it exists in the clear).
pub async fn issue(conn: &mut sqlx::AnyConnection, client: i64, scope: &str, now: i64) -> AppResult<String> {
    let token = tokens::new(Kind::AccessToken);
    sqlx::query(
        "INSERT INTO oidc_service_tokens (token_hash, client_id, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tokens::hash(Kind::AccessToken, &token).unwrap_or_default())
    .bind(client)
    .bind(scope)
    .bind(now)
    .bind(now + tokens::ACCESS_TOKEN_SECS)
    .execute(conn)
    .await?;
    Ok(token)
}

/// An unexpired service token (any other string finds nothing).
pub async fn find(db: &Db, token: &str, now: i64) -> AppResult<Option<Found>> {
    let Some(hash) = tokens::hash(Kind::AccessToken, token) else { return Ok(None) };
    let row = sqlx::query(
        "SELECT client_id, scope, expires_at FROM oidc_service_tokens WHERE token_hash = $1 AND expires_at > $2",
    )
    .bind(&hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Found {
        hash,
        client: row.try_get("client_id")?,
        scope: row.try_get("scope")?,
        expires_at: row.try_get("expires_at")?,
    }))
}

pub async fn revoke(db: &Db, hash: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM oidc_service_tokens WHERE token_hash = $1").bind(hash).execute(db).await?;
    Ok(())
}

pub async fn delete_expired(db: &Db, now: i64) -> AppResult<u64> {
    let done = sqlx::query("DELETE FROM oidc_service_tokens WHERE expires_at <= $1").bind(now).execute(db).await?;
    Ok(done.rows_affected())
}
