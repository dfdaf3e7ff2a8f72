//! The security and audit logs for the REST API, paged by cursor: each page
//! holds entries with ids below the cursor's, newest first, so a page stays
//! right while new events arrive.

use sqlx::Row;

use crate::error::AppResult;
use crate::server::db::Db;
use crate::server::words::labels::{browser_label, event_label};

/// One log row with its id (the cursor of the page after it) and its machine kind.
#[derive(Debug, Clone)]
pub struct LogRow {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub what: String,
    pub actor: Option<String>,
    pub detail: String,
    pub ip: Option<String>,
    pub browser: Option<String>,
}

/// Up to `limit` rows with ids below `before` (all when `None`), newest first.
pub async fn security_log(db: &Db, user_id: i64, before: Option<i64>, limit: i64) -> AppResult<Vec<LogRow>> {
    let rows = sqlx::query(
        "SELECT id, kind, ip, user_agent, created_at FROM security_events WHERE user_id = $1 AND id < $2 \
         ORDER BY id DESC LIMIT $3",
    )
    .bind(user_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(db)
    .await?;
    let row = |r: &sqlx::any::AnyRow| -> Result<LogRow, sqlx::Error> {
        let kind: String = r.try_get("kind")?;
        let user_agent: Option<String> = r.try_get("user_agent")?;
        Ok(LogRow {
            id: r.try_get("id")?,
            at: r.try_get("created_at")?,
            what: event_label(&kind).to_string(),
            kind,
            actor: None,
            detail: String::new(),
            ip: r.try_get("ip")?,
            browser: user_agent.as_deref().map(browser_label),
        })
    };
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}

/// Up to `limit` rows of the organization's audit log with ids below `before`, newest first.
pub async fn audit_log(db: &Db, org_id: i64, before: Option<i64>, limit: i64) -> AppResult<Vec<LogRow>> {
    let rows = sqlx::query(
        "SELECT a.id, a.kind, a.detail, a.created_at, u.name AS actor FROM audit_events a \
         LEFT JOIN users u ON u.id = a.actor_id WHERE a.org_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3",
    )
    .bind(org_id)
    .bind(before.unwrap_or(i64::MAX))
    .bind(limit)
    .fetch_all(db)
    .await?;
    let row = |r: &sqlx::any::AnyRow| -> Result<LogRow, sqlx::Error> {
        let kind: String = r.try_get("kind")?;
        Ok(LogRow {
            id: r.try_get("id")?,
            at: r.try_get("created_at")?,
            what: event_label(&kind).to_string(),
            actor: r.try_get("actor")?,
            // Stored as parameters, worded as the Audit tab words them.
            detail: crate::server::words::audit::detail(&kind, &r.try_get::<String, _>("detail")?),
            kind,
            ip: None,
            browser: None,
        })
    };
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}
