//! Server-side sessions. The browser holds a random 256-bit token; the
//! database holds only its SHA-256, so a leaked database grants no sessions.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::error::AppResult;
use crate::model::User;
use crate::server::db::Db;
use crate::server::store::events::RequestMeta;
use crate::server::Settings;

pub const COOKIE_NAME: &str = "portcullis_session";

/// Don't write `last_seen_at` on every request, only when it has grown this stale.
const TOUCH_AFTER_SECS: i64 = 60;

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub use crate::factors::Proof;

/// Starts a session and returns the token for the cookie; pass the
/// transaction that writes the login's log row.
pub async fn create<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    proof: Proof,
    (now, meta): (i64, &RequestMeta),
    settings: &Settings,
) -> AppResult<String> {
    let times = SessionTimes { now, authenticated_at: now, expires_at: now + settings.session_absolute_secs };
    let device =
        Device { user_agent: meta.user_agent.as_deref().map(short_agent), ip: meta.ip.map(|ip| ip.to_string()) };
    insert(db, user_id, proof.as_str(), times, device).await
}

struct SessionTimes {
    now: i64,
    authenticated_at: i64,
    expires_at: i64,
}

/// Where a session began, for "Where you're signed in".
struct Device {
    user_agent: Option<String>,
    ip: Option<String>,
}

/// A user agent as stored: its first 300 characters.
pub(super) fn short_agent(agent: &str) -> String {
    agent.chars().take(300).collect()
}

/// Inserts a session under a new random token and returns the token.
async fn insert<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    proof: &str,
    times: SessionTimes,
    device: Device,
) -> AppResult<String> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, authenticated_at, expires_at, proof, \
         user_agent, ip) VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(times.now)
    .bind(times.authenticated_at)
    .bind(times.expires_at)
    .bind(proof)
    .bind(device.user_agent)
    .bind(device.ip)
    .execute(db)
    .await?;
    Ok(token)
}

/// The user behind a token, if the session is neither idle too long nor past its absolute expiry.
pub async fn user_for_token(db: &Db, token: &str, now: i64, settings: &Settings) -> AppResult<Option<User>> {
    let hash = token_hash(token);
    let row = sqlx::query(
        "SELECT u.id, u.name, u.email, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
    )
    .bind(&hash)
    .bind(now)
    .bind(now - settings.session_idle_secs)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let last_seen: i64 = row.try_get("last_seen_at")?;
    if now - last_seen > TOUCH_AFTER_SECS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&hash)
            .execute(db)
            .await?;
    }
    Ok(Some(User { id: row.try_get("id")?, name: row.try_get("name")?, email: row.try_get("email")? }))
}

pub async fn delete<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, token: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash(token)).execute(db).await?;
    Ok(())
}

/// When the owner of this session last gave their password: at login, or
/// again when a sensitive step asked for it.
pub async fn password_given_at<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    hash: &str,
) -> AppResult<Option<i64>> {
    let row = sqlx::query("SELECT authenticated_at, reauthenticated_at FROM sessions WHERE token_hash = $1")
        .bind(hash)
        .fetch_optional(db)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let login: i64 = row.try_get("authenticated_at")?;
    let again: Option<i64> = row.try_get("reauthenticated_at")?;
    Ok(Some(again.map_or(login, |again| again.max(login))))
}

/// The password was just given again in this session, for a sensitive step.
/// Not a login: the session's `authenticated_at` (OpenID Connect's
/// `auth_time`, what prompt=login and max_age ask about) stays.
pub async fn mark_authenticated<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    hash: &str,
    now: i64,
) -> AppResult<()> {
    sqlx::query("UPDATE sessions SET reauthenticated_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(hash)
        .execute(db)
        .await?;
    Ok(())
}

/// A security key was just confirmed in this session: good for the next
/// protection change within a few minutes (`take_key_confirmation`).
pub async fn mark_key_confirmed<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    hash: &str,
    now: i64,
) -> AppResult<()> {
    sqlx::query("UPDATE sessions SET second_factor_confirmed_at = $1 WHERE token_hash = $2")
        .bind(now)
        .bind(hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Uses up a key confirmation made at `since` or later: true once (a conditional UPDATE).
pub async fn take_key_confirmation<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    hash: &str,
    since: i64,
) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE sessions SET second_factor_confirmed_at = NULL \
         WHERE token_hash = $1 AND second_factor_confirmed_at IS NOT NULL AND second_factor_confirmed_at >= $2",
    )
    .bind(hash)
    .bind(since)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// After 2FA was turned on or off: every other session of the user ends, and
/// this one continues under a fresh id (same authentication time and absolute
/// expiry). Returns the new token for the cookie.
pub async fn replace_all_for_user(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    current_hash: &str,
    now: i64,
) -> AppResult<String> {
    let row = sqlx::query(
        "SELECT authenticated_at, expires_at, proof, user_agent, ip FROM sessions WHERE token_hash = $1 AND user_id = $2",
    )
    .bind(current_hash)
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(crate::error::AppError::Unauthenticated)?;
    let (authenticated_at, expires_at): (i64, i64) = (row.try_get("authenticated_at")?, row.try_get("expires_at")?);
    let proof: String = row.try_get("proof")?;
    let device = Device { user_agent: row.try_get("user_agent")?, ip: row.try_get("ip")? };
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    // The new id keeps how the session began: turning 2FA on proves no second factor at login.
    insert(&mut **tx, user_id, &proof, SessionTimes { now, authenticated_at, expires_at }, device).await
}

/// Ends every session of a user (their second factor was reset by an admin).
pub async fn delete_all_for_user<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(db).await?;
    Ok(())
}

/// How long a session's public id is: a prefix of its token's hash, which
/// names it in "Where you're signed in" and grants nothing.
const PUBLIC_ID_LEN: usize = 20;

/// A session's public id (from its token's hash): what "Where you're signed
/// in" names it by, and an ID token's `sid`. Never enough to use it.
pub fn public_id(token_hash: &str) -> String {
    token_hash.chars().take(PUBLIC_ID_LEN).collect()
}

/// One of the account's live sessions, as "Where you're signed in" shows it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub proof: String,
    pub current: bool,
}

/// The account's live sessions, the most recently used first.
pub async fn list_for_user(
    db: &Db,
    user_id: i64,
    current_hash: &str,
    now: i64,
    settings: &Settings,
) -> AppResult<Vec<Listed>> {
    let rows = sqlx::query(
        "SELECT token_hash, user_agent, ip, created_at, last_seen_at, proof FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC, created_at DESC",
    )
    .bind(user_id)
    .bind(now)
    .bind(now - settings.session_idle_secs)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|row| {
            let hash: String = row.try_get("token_hash")?;
            Ok(Listed {
                id: public_id(&hash),
                user_agent: row.try_get("user_agent")?,
                ip: row.try_get("ip")?,
                created_at: row.try_get("created_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
                proof: row.try_get("proof")?,
                current: hash == current_hash,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Ends one of the account's sessions by its public id, never the current
/// one; true when there was such a session.
pub async fn delete_by_public_id<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    public_id: &str,
    current_hash: &str,
) -> AppResult<bool> {
    if public_id.len() != PUBLIC_ID_LEN || !public_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(false);
    }
    let done =
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND substr(token_hash, 1, 20) = $2 AND token_hash <> $3")
            .bind(user_id)
            .bind(public_id)
            .bind(current_hash)
            .execute(db)
            .await?;
    Ok(done.rows_affected() >= 1)
}

/// "Sign out everywhere else": every session of the account but this one.
pub async fn delete_others<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    current_hash: &str,
) -> AppResult<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(current_hash)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// Removes expired sessions; safe to run anywhere, any time.
pub async fn delete_expired(db: &Db, now: i64, settings: &Settings) -> AppResult<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - settings.session_idle_secs)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

/// The `Set-Cookie` value for a session token, or for clearing it (`None`).
pub fn cookie(token: Option<&str>, settings: &Settings) -> String {
    build_cookie(COOKIE_NAME, token, settings.session_absolute_secs, settings)
}

pub fn build_cookie(name: &'static str, token: Option<&str>, max_age_secs: i64, settings: &Settings) -> String {
    let mut c = cookie::Cookie::build((name, token.unwrap_or("").to_string()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(settings.secure_cookies);
    c = match token {
        Some(_) => c.max_age(cookie::time::Duration::seconds(max_age_secs)),
        None => c.max_age(cookie::time::Duration::ZERO),
    };
    c.build().to_string()
}

/// A cookie's value from the `Cookie` headers, if present and not empty.
pub fn token_from_headers(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| cookie::Cookie::split_parse(v.to_string()))
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bit_and_unique() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_eq!(token_hash(&a).len(), 64);
    }

    #[test]
    fn cookie_flags() {
        let settings = Settings { secure_cookies: true, ..Settings::default() };
        let c = cookie(Some("abc"), &settings);
        for flag in ["portcullis_session=abc", "HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
            assert!(c.contains(flag), "{c} lacks {flag}");
        }
        assert!(cookie(None, &Settings::default()).contains("Max-Age=0"));
        assert!(!cookie(None, &Settings::default()).contains("Secure"));
    }

    #[test]
    fn token_is_found_among_other_cookies() {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::COOKIE, "a=1; portcullis_session=tok; b=2".parse().unwrap());
        assert_eq!(token_from_headers(&headers, COOKIE_NAME).as_deref(), Some("tok"));
    }
}
