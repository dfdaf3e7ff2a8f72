//! `upstream_identities`: which account an identity at a provider signs in
//! to. An identity is (provider, `sub`), never an email address.

use std::collections::HashMap;

use sqlx::Row;

use crate::error::AppResult;
use crate::server::db::{is_unique_violation, Db};
use crate::server::refusals::Refused;

/// An identity of the account, for "Connected accounts".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    pub provider_id: i64,
    pub provider: String,
    /// What the provider said the address was when it was connected.
    pub email: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The account the identity signs in to.
pub async fn user_for<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    provider_id: i64,
    subject: &str,
) -> AppResult<Option<i64>> {
    let row = sqlx::query("SELECT user_id FROM upstream_identities WHERE provider_id = $1 AND subject = $2")
        .bind(provider_id)
        .bind(subject)
        .fetch_optional(db)
        .await?;
    Ok(row.map(|r| r.try_get("user_id")).transpose()?)
}

/// Links the identity to the account. Refused when it signs in to another
/// account already, or the account has an identity at this provider.
pub async fn link<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    (provider_id, subject): (i64, &str),
    user_id: i64,
    email: Option<&str>,
    now: i64,
) -> AppResult<()> {
    let done = sqlx::query(
        "INSERT INTO upstream_identities (provider_id, subject, user_id, email, created_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(provider_id)
    .bind(subject)
    .bind(user_id)
    .bind(email)
    .bind(now)
    .execute(db)
    .await;
    match done {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(Refused::ProviderIdentityTaken.into()),
        Err(e) => Err(e.into()),
    }
}

pub async fn touch<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    provider_id: i64,
    subject: &str,
    now: i64,
) -> AppResult<()> {
    sqlx::query("UPDATE upstream_identities SET last_used_at = $1 WHERE provider_id = $2 AND subject = $3")
        .bind(now)
        .bind(provider_id)
        .bind(subject)
        .execute(db)
        .await?;
    Ok(())
}

/// Unlinks the account's identity at the provider: true if there was one.
pub async fn unlink<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    provider_id: i64,
) -> AppResult<bool> {
    let done = sqlx::query("DELETE FROM upstream_identities WHERE user_id = $1 AND provider_id = $2")
        .bind(user_id)
        .bind(provider_id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The account's identities, by provider name.
pub async fn of_user<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<Vec<Linked>> {
    let rows = sqlx::query(
        "SELECT i.provider_id, p.name, i.email, i.created_at, i.last_used_at FROM upstream_identities i \
         JOIN upstream_providers p ON p.id = i.provider_id WHERE i.user_id = $1 ORDER BY p.name",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Linked {
                provider_id: r.try_get("provider_id")?,
                provider: r.try_get("name")?,
                email: r.try_get("email")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// For the Members tab: each member's providers, by name.
pub async fn names_by_member(db: &Db, org_id: i64) -> AppResult<HashMap<i64, Vec<String>>> {
    let rows = sqlx::query(
        "SELECT i.user_id, p.name FROM upstream_identities i JOIN upstream_providers p ON p.id = i.provider_id \
         JOIN memberships m ON m.user_id = i.user_id WHERE m.org_id = $1 ORDER BY p.name",
    )
    .bind(org_id)
    .fetch_all(db)
    .await?;
    let mut names: HashMap<i64, Vec<String>> = HashMap::new();
    for r in rows {
        names.entry(r.try_get("user_id")?).or_default().push(r.try_get("name")?);
    }
    Ok(names)
}
