//! The database pool. SQLite (embedded, the default) and PostgreSQL share one
//! set of queries through sqlx's `Any` driver; only the migrations differ.

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor};
use std::time::Duration;

pub type Db = AnyPool;

#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self { max_connections: 10, acquire_timeout: Duration::from_secs(5) }
    }
}

pub fn is_sqlite(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Connects and runs the migrations for the backend the URL names.
pub async fn connect(url: &str, pool: &PoolSettings) -> Result<Db, sqlx::Error> {
    install_default_drivers();
    let sqlite = is_sqlite(url);
    let db = AnyPoolOptions::new()
        .max_connections(pool.max_connections)
        .acquire_timeout(pool.acquire_timeout)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if sqlite {
                    // WAL lets readers proceed while one writer commits.
                    conn.execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;").await?;
                }
                Ok(())
            })
        })
        // A connection whose transaction could not end (a COMMIT refused on a full
        // disk, which SQLite rolls back itself, so the ROLLBACK that follows fails)
        // would refuse every later BEGIN: closed rather than handed to a request.
        // sqlx's own ping on release has flushed what was pending by now, so this
        // costs no round trip.
        .before_acquire(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }))
        // sqlx pings a connection when it is handed out and again when it comes back. A
        // SQLite file cannot hang up, and every ping is a round trip to the connection's
        // thread: on SQLite only the ping on release is kept (a third of the hand-offs of
        // a query). PostgreSQL keeps both: a server restart leaves idle connections dead.
        .test_before_acquire(!sqlite)
        .connect(url)
        .await?;
    migrate(&db, sqlite).await?;
    Ok(db)
}

pub async fn migrate(db: &Db, sqlite: bool) -> Result<(), sqlx::Error> {
    if sqlite {
        sqlx::migrate!("../migrations/sqlite").run(db).await?;
    } else {
        sqlx::migrate!("../migrations/postgres").run(db).await?;
    }
    Ok(())
}

/// True when the error is a unique-constraint violation (both backends).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}

/// Far beyond any log a person could page through; larger offsets are not queried.
const MAX_LOG_OFFSET: i64 = 1 << 40;

/// One page of a log, newest first: `sql` selects with `$1` the owner's id and
/// ends with `LIMIT $2 OFFSET $3`; one extra row tells whether there are more.
pub async fn log_page(
    db: &Db,
    sql: &str,
    owner_id: i64,
    page: i64,
    entry: impl Fn(&sqlx::any::AnyRow) -> Result<crate::model::LogEntry, sqlx::Error>,
) -> crate::error::AppResult<crate::model::LogPage> {
    use crate::model::{LogPage, LOG_PAGE_SIZE};
    let page = page.max(0);
    // The page number comes from the URL: one past any real log is simply empty.
    let Some(offset) = page.checked_mul(LOG_PAGE_SIZE).filter(|o| *o <= MAX_LOG_OFFSET) else {
        return Ok(LogPage { entries: Vec::new(), page, has_more: false });
    };
    let rows = sqlx::query(sql).bind(owner_id).bind(LOG_PAGE_SIZE + 1).bind(offset).fetch_all(db).await?;
    let has_more = rows.len() as i64 > LOG_PAGE_SIZE;
    let entries = rows.iter().take(LOG_PAGE_SIZE as usize).map(entry).collect::<Result<_, _>>()?;
    Ok(LogPage { entries, page, has_more })
}

/// Begins a transaction that will write. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`): a deferred transaction that read first and
/// then writes after another connection's commit fails with SQLITE_BUSY
/// instead of waiting, which would turn a lost race into a 500.
pub async fn begin_write(db: &Db) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
    if db.connect_options().database_url.scheme() == "sqlite" {
        db.begin_with("BEGIN IMMEDIATE").await
    } else {
        db.begin().await
    }
}
