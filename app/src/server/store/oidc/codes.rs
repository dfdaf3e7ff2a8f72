//! Authorization codes: 60 s, single use, bound to the client, the
//! redirect URI, the PKCE challenge, the nonce and how the user signed in.

use sqlx::Row;

use crate::error::AppResult;
use crate::factors::Proof;
use crate::oidc::tokens::{self, Kind};
use crate::server::db::Db;

#[derive(Debug, Clone)]
pub struct Code {
    pub hash: String,
    pub client: i64,
    pub user_id: i64,
    pub redirect_uri: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub auth_time: i64,
    pub proof: Proof,
    pub expires_at: i64,
    /// Set once redeemed; a code seen again after that is a replay.
    pub redeemed: Option<Option<String>>,
    /// The public id of the session it was issued in.
    pub sid: Option<String>,
}

pub struct NewCode<'a> {
    pub client: i64,
    pub user_id: i64,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub nonce: Option<&'a str>,
    pub code_challenge: Option<&'a str>,
    pub auth_time: i64,
    pub proof: Proof,
    pub sid: Option<&'a str>,
}

/// Inserts a code (and the sign-in it records) in the caller's transaction; returns the code.
pub async fn create(conn: &mut sqlx::AnyConnection, new: &NewCode<'_>, now: i64) -> AppResult<String> {
    let code = tokens::new(Kind::AuthorizationCode);
    sqlx::query(
        "INSERT INTO oidc_codes (code_hash, client_id, user_id, redirect_uri, scope, nonce, code_challenge, auth_time, \
         proof, created_at, expires_at, sid) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(tokens::hash(Kind::AuthorizationCode, &code).unwrap_or_default())
    .bind(new.client)
    .bind(new.user_id)
    .bind(new.redirect_uri)
    .bind(new.scope)
    .bind(new.nonce)
    .bind(new.code_challenge)
    .bind(new.auth_time)
    .bind(new.proof.as_str())
    .bind(now)
    .bind(now + tokens::CODE_SECS)
    .bind(new.sid)
    .execute(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO oidc_sign_ins (client_id, user_id, proof, created_at) VALUES ($1, $2, $3, $4)")
        .bind(new.client)
        .bind(new.user_id)
        .bind(new.proof.as_str())
        .bind(now)
        .execute(conn)
        .await?;
    Ok(code)
}

pub async fn find(db: &Db, code: &str) -> AppResult<Option<Code>> {
    let Some(hash) = tokens::hash(Kind::AuthorizationCode, code) else { return Ok(None) };
    let row = sqlx::query(
        "SELECT client_id, user_id, redirect_uri, scope, nonce, code_challenge, auth_time, proof, expires_at, \
         redeemed_at, grant_id, sid FROM oidc_codes WHERE code_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let redeemed_at: Option<i64> = row.try_get("redeemed_at")?;
    let grant: Option<String> = row.try_get("grant_id")?;
    Ok(Some(Code {
        hash,
        client: row.try_get("client_id")?,
        user_id: row.try_get("user_id")?,
        redirect_uri: row.try_get("redirect_uri")?,
        scope: row.try_get("scope")?,
        nonce: row.try_get("nonce")?,
        code_challenge: row.try_get("code_challenge")?,
        auth_time: row.try_get("auth_time")?,
        proof: Proof::parse(&row.try_get::<String, _>("proof")?),
        expires_at: row.try_get("expires_at")?,
        redeemed: redeemed_at.map(|_| grant),
        sid: row.try_get("sid")?,
    }))
}

/// Redeems the code for `grant_id`: one conditional UPDATE, so of two
/// concurrent redemptions exactly one wins.
pub async fn redeem(conn: &mut sqlx::AnyConnection, hash: &str, grant_id: &str, now: i64) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE oidc_codes SET redeemed_at = $1, grant_id = $2 WHERE code_hash = $3 AND redeemed_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(grant_id)
    .bind(hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The grant a redeemed code issued (read inside the transaction that revokes it).
pub async fn grant_of(conn: &mut sqlx::AnyConnection, hash: &str) -> AppResult<Option<String>> {
    let row =
        sqlx::query("SELECT grant_id FROM oidc_codes WHERE code_hash = $1").bind(hash).fetch_optional(conn).await?;
    Ok(row.map(|r| r.try_get::<Option<String>, _>("grant_id")).transpose()?.flatten())
}
