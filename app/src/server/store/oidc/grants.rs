//! Grants (one sign-in of a user to an application) and their tokens.
//! Deleting a grant revokes every token it issued (ON DELETE CASCADE).

use sqlx::Row;

use crate::error::AppResult;
use crate::factors::Proof;
use crate::oidc::tokens::{self, Kind};
use crate::server::db::Db;

#[derive(Debug, Clone)]
pub struct Grant {
    pub id: String,
    pub client: i64,
    pub user_id: i64,
    pub scope: String,
    pub auth_time: i64,
    pub proof: Proof,
    /// The public id of the Portcullis session it came from (the ID token's `sid`).
    pub sid: Option<String>,
}

/// A new grant id: random, never shown to anyone.
pub fn new_id() -> String {
    crate::server::store::sessions::new_token()
}

pub async fn insert(conn: &mut sqlx::AnyConnection, grant: &Grant, now: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO oidc_grants (id, client_id, user_id, scope, auth_time, proof, created_at, sid) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&grant.id)
    .bind(grant.client)
    .bind(grant.user_id)
    .bind(&grant.scope)
    .bind(grant.auth_time)
    .bind(grant.proof.as_str())
    .bind(now)
    .bind(grant.sid.as_deref())
    .execute(conn)
    .await?;
    Ok(())
}

/// Issued tokens, in the clear: only for the response.
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
}

/// A new access and refresh token of the grant. `narrower`: the access token's
/// own scope, when a refresh asked for less (the refresh token keeps the grant's).
/// `refresh_secs`: the refresh token's life (the client's choice).
pub async fn issue(
    conn: &mut sqlx::AnyConnection,
    grant_id: &str,
    narrower: Option<&str>,
    refresh_secs: i64,
    now: i64,
) -> AppResult<Issued> {
    let access_token = tokens::new(Kind::AccessToken);
    let refresh_token = tokens::new(Kind::RefreshToken);
    for (kind, token, name, lifetime, scope) in [
        (Kind::AccessToken, &access_token, "access", tokens::ACCESS_TOKEN_SECS, narrower),
        (Kind::RefreshToken, &refresh_token, "refresh", refresh_secs, None),
    ] {
        sqlx::query(
            "INSERT INTO oidc_tokens (token_hash, grant_id, kind, expires_at, scope) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(tokens::hash(kind, token).unwrap_or_default())
        .bind(grant_id)
        .bind(name)
        .bind(now + lifetime)
        .bind(scope)
        .execute(&mut *conn)
        .await?;
    }
    Ok(Issued { access_token, refresh_token })
}

/// A token as found: its grant, whether it is still good, and whether it was rotated already.
pub struct Found {
    pub hash: String,
    pub grant: Grant,
    pub expires_at: i64,
    pub expired: bool,
    pub used: bool,
}

/// Looks a token of `kind` up (any other string finds nothing).
pub async fn find(db: &Db, kind: Kind, token: &str, now: i64) -> AppResult<Option<Found>> {
    let Some(hash) = tokens::hash(kind, token) else { return Ok(None) };
    let name = if kind == Kind::AccessToken { "access" } else { "refresh" };
    let row = sqlx::query(
        "SELECT g.id, g.client_id, g.user_id, COALESCE(t.scope, g.scope) AS scope, g.auth_time, g.proof, g.sid, t.expires_at, t.used_at \
         FROM oidc_tokens t JOIN oidc_grants g ON g.id = t.grant_id WHERE t.token_hash = $1 AND t.kind = $2",
    )
    .bind(&hash)
    .bind(name)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let expires_at: i64 = row.try_get("expires_at")?;
    let used_at: Option<i64> = row.try_get("used_at")?;
    Ok(Some(Found {
        hash,
        grant: Grant {
            id: row.try_get("id")?,
            client: row.try_get("client_id")?,
            user_id: row.try_get("user_id")?,
            scope: row.try_get("scope")?,
            auth_time: row.try_get("auth_time")?,
            proof: Proof::parse(&row.try_get::<String, _>("proof")?),
            sid: row.try_get("sid")?,
        },
        expires_at,
        expired: expires_at <= now,
        used: used_at.is_some(),
    }))
}

/// Rotates a refresh token: marks it used, once. False when it was used (or expired) meanwhile.
pub async fn use_refresh_token(conn: &mut sqlx::AnyConnection, hash: &str, now: i64) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE oidc_tokens SET used_at = $1 WHERE token_hash = $2 AND kind = 'refresh' AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes a grant and all its tokens; true when there was one.
pub async fn revoke(conn: &mut sqlx::AnyConnection, grant_id: &str) -> AppResult<bool> {
    let done = sqlx::query("DELETE FROM oidc_grants WHERE id = $1").bind(grant_id).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes one token.
pub async fn revoke_token(conn: &mut sqlx::AnyConnection, hash: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM oidc_tokens WHERE token_hash = $1").bind(hash).execute(conn).await?;
    Ok(())
}

/// Revokes every grant of a user to an application.
pub async fn revoke_all(conn: &mut sqlx::AnyConnection, user_id: i64, client: i64) -> AppResult<u64> {
    let done = sqlx::query("DELETE FROM oidc_grants WHERE user_id = $1 AND client_id = $2")
        .bind(user_id)
        .bind(client)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Revokes every grant of a user, to every application (their password was reset).
pub async fn revoke_every(conn: &mut sqlx::AnyConnection, user_id: i64) -> AppResult<u64> {
    let done = sqlx::query("DELETE FROM oidc_grants WHERE user_id = $1").bind(user_id).execute(conn).await?;
    Ok(done.rows_affected())
}

/// Expired requests, codes (kept a while after expiry so that a late replay
/// still revokes), tokens, grants left without tokens, and old sign-ins.
pub async fn delete_expired(db: &Db, now: i64) -> AppResult<u64> {
    let mut deleted = 0;
    for (sql, at) in [
        ("DELETE FROM used_handles WHERE expires_at <= $1", now),
        ("DELETE FROM oidc_codes WHERE expires_at <= $1", now - 3600),
        ("DELETE FROM oidc_tokens WHERE expires_at <= $1", now),
        ("DELETE FROM oidc_grants WHERE created_at <= $1 AND NOT EXISTS (SELECT 1 FROM oidc_tokens t WHERE t.grant_id = oidc_grants.id)", now - 3600),
        ("DELETE FROM oidc_sign_ins WHERE created_at <= $1", now - 90 * 86_400),
    ] {
        deleted += sqlx::query(sql).bind(at).execute(db).await?.rows_affected();
    }
    Ok(deleted)
}
