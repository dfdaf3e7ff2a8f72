//! The state between a correct password and the second factor: a random token
//! in its own short-lived cookie, bound to one user, granting nothing else.

use sqlx::Row;

use crate::error::AppResult;
use crate::server::db::Db;
use crate::server::store::sessions::{new_token, token_hash};
use crate::server::Settings;

pub const COOKIE_NAME: &str = "portcullis_pending";
pub const LIFETIME_SECS: i64 = 5 * 60;

/// How the login began, before its second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstStep {
    Password,
    /// A sign-in through another identity provider that named no second factor.
    Upstream,
}

impl FirstStep {
    fn as_str(self) -> &'static str {
        match self {
            FirstStep::Password => "password",
            FirstStep::Upstream => "upstream",
        }
    }
}

pub async fn create<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    now: i64,
) -> AppResult<String> {
    create_after(db, user_id, FirstStep::Password, now).await
}

pub async fn create_after<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    first: FirstStep,
    now: i64,
) -> AppResult<String> {
    let token = new_token();
    sqlx::query("INSERT INTO pending_logins (token_hash, user_id, expires_at, first_step) VALUES ($1, $2, $3, $4)")
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now + LIFETIME_SECS)
        .bind(first.as_str())
        .execute(db)
        .await?;
    Ok(token)
}

/// How the pending login began (`Password` when it is unknown or gone: the caller refuses those anyway).
pub async fn first_step(db: &Db, token: &str) -> AppResult<FirstStep> {
    let row = sqlx::query("SELECT first_step FROM pending_logins WHERE token_hash = $1")
        .bind(token_hash(token))
        .fetch_optional(db)
        .await?;
    let first: Option<String> = row.map(|r| r.try_get("first_step")).transpose()?;
    Ok(if first.as_deref() == Some("upstream") { FirstStep::Upstream } else { FirstStep::Password })
}

pub async fn user_for(db: &Db, token: &str, now: i64) -> AppResult<Option<i64>> {
    let row = sqlx::query("SELECT user_id FROM pending_logins WHERE token_hash = $1 AND expires_at > $2")
        .bind(token_hash(token))
        .bind(now)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| r.try_get("user_id")).transpose()?)
}

/// Consumes the pending login; true only for the one request that did.
pub async fn consume<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, token: &str) -> AppResult<bool> {
    let done =
        sqlx::query("DELETE FROM pending_logins WHERE token_hash = $1").bind(token_hash(token)).execute(db).await?;
    Ok(done.rows_affected() == 1)
}

/// Ends the account's logins half-way (its password was just reset).
pub async fn delete_for_user<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM pending_logins WHERE user_id = $1").bind(user_id).execute(db).await?;
    Ok(())
}

pub async fn delete_expired(db: &Db, now: i64) -> AppResult<u64> {
    let done = sqlx::query("DELETE FROM pending_logins WHERE expires_at <= $1").bind(now).execute(db).await?;
    Ok(done.rows_affected())
}

pub fn cookie(token: Option<&str>, settings: &Settings) -> String {
    crate::server::store::sessions::build_cookie(COOKIE_NAME, token, LIFETIME_SECS, settings)
}
