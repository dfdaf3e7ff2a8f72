//! An organization's switches beyond its 2FA rule: "Require verified email
//! addresses" and "Require several factors from identity providers".

use sqlx::Row;

use crate::error::AppResult;

/// A yes/no column of `organizations` this module keeps.
#[derive(Clone, Copy)]
enum Switch {
    VerifiedEmails,
    UpstreamMfa,
}

impl Switch {
    fn column(self) -> &'static str {
        match self {
            Switch::VerifiedEmails => "require_verified_emails",
            Switch::UpstreamMfa => "require_upstream_mfa",
        }
    }
}

async fn is_on<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, org_id: i64, switch: Switch) -> AppResult<bool> {
    let column = switch.column();
    let row =
        sqlx::query(&format!("SELECT {column} FROM organizations WHERE id = $1")).bind(org_id).fetch_one(db).await?;
    Ok(row.try_get::<i64, _>(column)? != 0)
}

async fn set<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    org_id: i64,
    switch: Switch,
    on: bool,
) -> AppResult<()> {
    let query = format!("UPDATE organizations SET {} = $1 WHERE id = $2", switch.column());
    sqlx::query(&query).bind(i64::from(on)).bind(org_id).execute(db).await?;
    Ok(())
}

pub async fn requires_verified_emails<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    org_id: i64,
) -> AppResult<bool> {
    is_on(db, org_id, Switch::VerifiedEmails).await
}

pub async fn set_requires_verified_emails<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    org_id: i64,
    require: bool,
) -> AppResult<()> {
    set(db, org_id, Switch::VerifiedEmails, require).await
}

pub async fn requires_upstream_mfa<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    org_id: i64,
) -> AppResult<bool> {
    is_on(db, org_id, Switch::UpstreamMfa).await
}

pub async fn set_requires_upstream_mfa<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    org_id: i64,
    require: bool,
) -> AppResult<()> {
    set(db, org_id, Switch::UpstreamMfa, require).await
}

/// Some organization of the account asks identity providers' sign-ins for several factors.
pub async fn upstream_mfa_required_for<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
) -> AppResult<bool> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM memberships m JOIN organizations o ON o.id = m.org_id \
         WHERE m.user_id = $1 AND o.require_upstream_mfa <> 0",
    )
    .bind(user_id)
    .fetch_one(db)
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}
