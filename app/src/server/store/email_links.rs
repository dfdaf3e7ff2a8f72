//! Single-use links mailed to an address: to verify it (24 hours) or to
//! reset the account's password (30 minutes). The link carries a random
//! 256-bit token; this table keeps its SHA-256, and the one use that counts
//! is a conditional UPDATE (one row), so two racing uses make one change.

use sqlx::Row;

use crate::error::AppResult;
use crate::server::store::sessions::{new_token, token_hash};
use crate::server::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Verify,
    Reset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::Verify => "verify",
            Purpose::Reset => "reset",
        }
    }

    /// How long a link of this purpose works.
    pub fn lifetime_secs(self) -> i64 {
        match self {
            Purpose::Verify => 24 * 3600,
            Purpose::Reset => 30 * 60,
        }
    }
}

/// What an unused, unexpired link stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub user_id: i64,
    /// The address it was sent to.
    pub email: String,
}

/// Makes a link for `email` and returns its token (for the message only).
/// Earlier unused links of the same purpose stop working: the newest mail is the one that counts.
pub async fn create(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    user_id: i64,
    purpose: Purpose,
    email: &str,
    now: i64,
) -> AppResult<String> {
    void(&mut **tx, user_id, purpose, now).await?;
    let token = new_token();
    sqlx::query(
        "INSERT INTO email_links (token_hash, user_id, purpose, email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash(&token))
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(email)
    .bind(now)
    .bind(now + purpose.lifetime_secs())
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Ends the unused links of `purpose` (after a password change, the reset links).
pub async fn void<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    purpose: Purpose,
    now: i64,
) -> AppResult<()> {
    sqlx::query("UPDATE email_links SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL")
        .bind(now)
        .bind(user_id)
        .bind(purpose.as_str())
        .execute(db)
        .await?;
    Ok(())
}

/// The link behind `token`, if it still works; nothing is used up.
pub async fn peek(db: &Db, token: &str, purpose: Purpose, now: i64) -> AppResult<Option<Link>> {
    let row = sqlx::query(
        "SELECT user_id, email FROM email_links WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(token_hash(token))
    .bind(purpose.as_str())
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(row
        .map(|r| Ok::<_, sqlx::Error>(Link { user_id: r.try_get("user_id")?, email: r.try_get("email")? }))
        .transpose()?)
}

/// Uses the link up, in the change's transaction: the link only for the one caller that did.
pub async fn use_once<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    token: &str,
    purpose: Purpose,
    now: i64,
) -> AppResult<Option<Link>> {
    let row = sqlx::query(
        "UPDATE email_links SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
         RETURNING user_id, email",
    )
    .bind(now)
    .bind(token_hash(token))
    .bind(purpose.as_str())
    .fetch_optional(db)
    .await?;
    Ok(row
        .map(|r| Ok::<_, sqlx::Error>(Link { user_id: r.try_get("user_id")?, email: r.try_get("email")? }))
        .transpose()?)
}

/// Removes links expired a day ago (kept a while, so a late click reads "expired", not "unknown").
pub async fn delete_expired(db: &Db, now: i64) -> AppResult<u64> {
    let done = sqlx::query("DELETE FROM email_links WHERE expires_at < $1").bind(now - 86_400).execute(db).await?;
    Ok(done.rows_affected())
}
