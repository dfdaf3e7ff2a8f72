//! Validated authorization requests waiting for their user, by a random
//! handle (only its hash is stored) that our own URLs carry through login.

use sqlx::Row;

use crate::error::AppResult;
use crate::oidc::authorize::{AuthRequest, Prompt};
use crate::oidc::scope::Scopes;
use crate::oidc::tokens::{self, Kind};
use crate::server::db::Db;

#[derive(Debug, Clone)]
pub struct Stored {
    pub id_hash: String,
    pub client: i64,
    pub request: AuthRequest,
    /// The session the request came with, if any.
    pub session_hash: Option<String>,
    pub created_at: i64,
}

/// Stores the request; returns the handle for the URL.
pub async fn create(
    db: &Db,
    client: i64,
    request: &AuthRequest,
    session_hash: Option<&str>,
    now: i64,
) -> AppResult<String> {
    let handle = tokens::new(Kind::Request);
    let hash = tokens::hash(Kind::Request, &handle).unwrap_or_default();
    sqlx::query(
        "INSERT INTO oidc_requests (id_hash, client_id, redirect_uri, scope, state, nonce, code_challenge, prompt, \
         max_age, session_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&hash)
    .bind(client)
    .bind(&request.redirect_uri)
    .bind(request.scopes.to_string())
    .bind(request.state.as_deref())
    .bind(request.nonce.as_deref())
    .bind(request.code_challenge.as_deref())
    .bind(request.prompt.as_string())
    .bind(request.max_age)
    .bind(session_hash)
    .bind(now)
    .bind(now + tokens::REQUEST_SECS)
    .execute(db)
    .await?;
    Ok(handle)
}

/// The request behind a handle, unless it expired or was used.
pub async fn load(db: &Db, handle: &str, now: i64) -> AppResult<Option<Stored>> {
    let Some(hash) = tokens::hash(Kind::Request, handle) else { return Ok(None) };
    let row = sqlx::query(
        "SELECT client_id, redirect_uri, scope, state, nonce, code_challenge, prompt, max_age, session_hash, created_at \
         FROM oidc_requests WHERE id_hash = $1 AND expires_at > $2",
    )
    .bind(&hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let prompt: String = row.try_get("prompt")?;
    let scopes =
        Scopes::parse(&row.try_get::<String, _>("scope")?).map_err(|e| sqlx::Error::Decode(e.to_string().into()))?;
    Ok(Some(Stored {
        id_hash: hash,
        client: row.try_get("client_id")?,
        request: AuthRequest {
            redirect_uri: row.try_get("redirect_uri")?,
            scopes,
            state: row.try_get("state")?,
            nonce: row.try_get("nonce")?,
            code_challenge: row.try_get("code_challenge")?,
            // Stored by us from a parsed prompt: it parses again.
            prompt: Prompt::parse(Some(&prompt)).unwrap_or_default(),
            max_age: row.try_get("max_age")?,
        },
        session_hash: row.try_get("session_hash")?,
        created_at: row.try_get("created_at")?,
    }))
}

/// Uses the request up; true only for the one caller that did.
pub async fn consume(conn: &mut sqlx::AnyConnection, id_hash: &str) -> AppResult<bool> {
    let done = sqlx::query("DELETE FROM oidc_requests WHERE id_hash = $1").bind(id_hash).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}
