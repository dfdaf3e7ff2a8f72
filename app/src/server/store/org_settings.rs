//! An organization's switches beyond its 2FA rule: "Require verified email
//! addresses".

use sqlx::Row;

use crate::error::AppResult;

pub async fn requires_verified_emails<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    org_id: i64,
) -> AppResult<bool> {
    let row = sqlx::query("SELECT require_verified_emails FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_one(db)
        .await?;
    Ok(row.try_get::<i64, _>("require_verified_emails")? != 0)
}

pub async fn set_requires_verified_emails<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    org_id: i64,
    require: bool,
) -> AppResult<()> {
    sqlx::query("UPDATE organizations SET require_verified_emails = $1 WHERE id = $2")
        .bind(i64::from(require))
        .bind(org_id)
        .execute(db)
        .await?;
    Ok(())
}
