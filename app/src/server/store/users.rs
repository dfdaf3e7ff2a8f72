//! Accounts.

use sqlx::Row;

use crate::error::AppResult;
use crate::model::User;
use crate::server::db::{is_unique_violation, Db};
use crate::server::password::PasswordHash;
use crate::server::refusals::Refused;

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<User, sqlx::Error> {
    Ok(User { id: row.try_get("id")?, name: row.try_get("name")?, email: row.try_get("email")? })
}

/// `email` must already be normalised by `validate::email`.
pub async fn create<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    name: &str,
    email: &str,
    hash: &PasswordHash,
    now: i64,
) -> AppResult<User> {
    insert(db, (name, email), &hash.0, None, now).await
}

/// The account and its password hash; `None` for the hash once the owner
/// removed their password (the caller verifies against nothing, at the same cost).
pub async fn find_with_hash(db: &Db, email: &str) -> AppResult<Option<(User, Option<PasswordHash>)>> {
    let row = sqlx::query("SELECT id, name, email, password_hash FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(db)
        .await?;
    match row {
        Some(row) => {
            let hash: String = row.try_get("password_hash")?;
            Ok(Some((user_from_row(&row)?, (!hash.is_empty()).then_some(PasswordHash(hash)))))
        }
        None => Ok(None),
    }
}

pub async fn find_by_email(db: &Db, email: &str) -> AppResult<Option<User>> {
    Ok(find_with_hash(db, email).await?.map(|(user, _)| user))
}

/// The account has a password (it was not removed for a provider or passkey).
pub async fn has_password<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<bool> {
    let row = sqlx::query("SELECT password_hash FROM users WHERE id = $1").bind(user_id).fetch_optional(db).await?;
    Ok(row.map(|r| r.try_get::<String, _>("password_hash")).transpose()?.is_some_and(|h| !h.is_empty()))
}

/// "Remove password": stored as the empty hash, which nothing verifies against.
pub async fn remove_password<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE users SET password_hash = '' WHERE id = $1").bind(user_id).execute(db).await?;
    Ok(())
}

/// An account made through another identity provider: no password, the
/// address verified (the provider said so, and sign-up there requires it).
pub async fn create_without_password<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    name: &str,
    email: &str,
    now: i64,
) -> AppResult<User> {
    insert(db, (name, email), "", Some(now), now).await
}

/// `password_hash` is empty for an account without a password.
async fn insert<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    (name, email): (&str, &str),
    password_hash: &str,
    email_verified_at: Option<i64>,
    now: i64,
) -> AppResult<User> {
    let row = sqlx::query(
        "INSERT INTO users (name, email, password_hash, created_at, email_verified_at) VALUES ($1, $2, $3, $4, $5) \
         RETURNING id, name, email",
    )
    .bind(name)
    .bind(email)
    .bind(password_hash)
    .bind(now)
    .bind(email_verified_at)
    .fetch_one(db)
    .await;
    match row {
        Ok(row) => Ok(user_from_row(&row)?),
        Err(e) if is_unique_violation(&e) => Err(Refused::EmailTaken.into()),
        Err(e) => Err(e.into()),
    }
}

/// The account with this address, read in the caller's transaction.
pub async fn id_by_email<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, email: &str) -> AppResult<Option<i64>> {
    let row = sqlx::query("SELECT id FROM users WHERE email = $1").bind(email).fetch_optional(db).await?;
    Ok(row.map(|r| r.try_get("id")).transpose()?)
}

pub async fn find_by_id(db: &Db, id: i64) -> AppResult<Option<User>> {
    let row = sqlx::query("SELECT id, name, email FROM users WHERE id = $1").bind(id).fetch_optional(db).await?;
    Ok(row.as_ref().map(user_from_row).transpose()?)
}

pub async fn set_password<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    hash: &PasswordHash,
) -> AppResult<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(&hash.0).bind(user_id).execute(db).await?;
    Ok(())
}

/// Whether the account's current address was proved by a link sent to it.
pub async fn email_verified<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<bool> {
    let row = sqlx::query("SELECT email_verified_at FROM users WHERE id = $1").bind(user_id).fetch_optional(db).await?;
    Ok(row.map(|r| r.try_get::<Option<i64>, _>("email_verified_at")).transpose()?.flatten().is_some())
}

/// Marks `email` verified, if it is still the account's address: true when it was.
pub async fn mark_verified<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    email: &str,
    now: i64,
) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2 AND email = $3",
    )
    .bind(now)
    .bind(user_id)
    .bind(email)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A new address, not yet verified. `email` must be normalised by `validate::email`.
pub async fn set_email<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    email: &str,
) -> AppResult<()> {
    let done = sqlx::query("UPDATE users SET email = $1, email_verified_at = NULL WHERE id = $2")
        .bind(email)
        .bind(user_id)
        .execute(db)
        .await;
    match done {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(Refused::EmailTaken.into()),
        Err(e) => Err(e.into()),
    }
}

/// Leaves a message for the user's next visit; pass the transaction of the change it tells of.
pub async fn set_notice<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    notice: &str,
) -> AppResult<()> {
    sqlx::query("UPDATE users SET notice = $1 WHERE id = $2").bind(notice).bind(user_id).execute(db).await?;
    Ok(())
}

/// The waiting message; it stays until dismissed.
pub async fn notice(db: &Db, user_id: i64) -> AppResult<Option<String>> {
    let row = sqlx::query("SELECT notice FROM users WHERE id = $1").bind(user_id).fetch_optional(db).await?;
    Ok(row.map(|r| r.try_get("notice")).transpose()?.flatten())
}

pub async fn dismiss_notice(db: &Db, user_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE users SET notice = NULL WHERE id = $1").bind(user_id).execute(db).await?;
    Ok(())
}

/// Whether the account is one of the server's operators.
pub async fn is_operator<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<bool> {
    let row = sqlx::query("SELECT operator_since FROM users WHERE id = $1").bind(user_id).fetch_optional(db).await?;
    Ok(row.map(|r| r.try_get::<Option<i64>, _>("operator_since")).transpose()?.flatten().is_some())
}

/// Makes the account an operator (or no longer one); false when it already was (or was not).
pub async fn set_operator<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    operator: bool,
    now: i64,
) -> AppResult<bool> {
    let done = if operator {
        sqlx::query("UPDATE users SET operator_since = $1 WHERE id = $2 AND operator_since IS NULL")
            .bind(now)
            .bind(user_id)
            .execute(db)
            .await?
    } else {
        sqlx::query("UPDATE users SET operator_since = NULL WHERE id = $1 AND operator_since IS NOT NULL")
            .bind(user_id)
            .execute(db)
            .await?
    };
    Ok(done.rows_affected() == 1)
}

/// The operators' emails, oldest first.
pub async fn operators(db: &Db) -> AppResult<Vec<String>> {
    let rows = sqlx::query("SELECT email FROM users WHERE operator_since IS NOT NULL ORDER BY operator_since, id")
        .fetch_all(db)
        .await?;
    Ok(rows.iter().map(|r| r.try_get("email")).collect::<Result<_, _>>()?)
}

/// The code the login asks for first, where the account has several ("Preferred method").
pub async fn preferred_factor(db: &Db, user_id: i64) -> AppResult<Option<crate::factors::Kind>> {
    let row = sqlx::query("SELECT preferred_factor FROM users WHERE id = $1").bind(user_id).fetch_optional(db).await?;
    let name: Option<String> = row.map(|r| r.try_get("preferred_factor")).transpose()?.flatten();
    Ok(name.as_deref().and_then(crate::factors::Kind::named))
}

pub async fn set_preferred_factor(db: &Db, user_id: i64, kind: crate::factors::Kind) -> AppResult<()> {
    sqlx::query("UPDATE users SET preferred_factor = $1 WHERE id = $2")
        .bind(kind.as_str())
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}
