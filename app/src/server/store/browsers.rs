//! The browsers an account signed in from, each known by the SHA-256 of a
//! random value in its own long-lived cookie (`BROWSER_COOKIE`): the first
//! sign-in from one is news to its owner, and one the person chose to
//! remember skips the code until `remembered_until`.

use sqlx::Row;

use crate::error::AppResult;
use crate::server::db::Db;
use crate::server::store::events::RequestMeta;

pub const BROWSER_COOKIE: &str = "portcullis_browser";
/// The cookie outlives any remembering: it only names the browser.
pub const BROWSER_COOKIE_SECS: i64 = 400 * 24 * 3600;
/// "Don't ask for a code on this browser for 30 days".
pub const REMEMBER_SECS: i64 = 30 * 24 * 3600;

/// Records a sign-in from the request's browser; true when the account had
/// not signed in from it before.
pub async fn seen(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    browser_hash: &str,
    (now, meta): (i64, &RequestMeta),
) -> AppResult<bool> {
    let agent = meta.user_agent.as_deref().map(super::sessions::short_agent);
    let ip = meta.ip.map(|ip| ip.to_string());
    // Inserted by exactly one of two sign-ins at once: the mail goes once.
    let inserted = sqlx::query(
        "INSERT INTO known_browsers (user_id, browser_hash, user_agent, ip, first_seen, last_seen) \
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (user_id, browser_hash) DO NOTHING",
    )
    .bind(user_id)
    .bind(browser_hash)
    .bind(agent.clone())
    .bind(ip.clone())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(true);
    }
    sqlx::query(
        "UPDATE known_browsers SET last_seen = $1, user_agent = $2, ip = $3 WHERE user_id = $4 AND browser_hash = $5",
    )
    .bind(now)
    .bind(agent)
    .bind(ip)
    .bind(user_id)
    .bind(browser_hash)
    .execute(&mut *conn)
    .await?;
    Ok(false)
}

/// Remembers the browser for `REMEMBER_SECS` (after a sign-in with a code from it).
pub async fn remember<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    browser_hash: &str,
    now: i64,
) -> AppResult<()> {
    sqlx::query("UPDATE known_browsers SET remembered_until = $1 WHERE user_id = $2 AND browser_hash = $3")
        .bind(now + REMEMBER_SECS)
        .bind(user_id)
        .bind(browser_hash)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether the browser is remembered for the account now.
pub async fn is_remembered<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    browser_hash: &str,
    now: i64,
) -> AppResult<bool> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM known_browsers WHERE user_id = $1 AND browser_hash = $2 AND remembered_until > $3",
    )
    .bind(user_id)
    .bind(browser_hash)
    .bind(now)
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

/// Forgets every remembered browser of the account (a password change or
/// reset, 2FA turned off or reset, "Sign out everywhere else"); how many.
pub async fn forget_all<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<u64> {
    let done = sqlx::query(
        "UPDATE known_browsers SET remembered_until = NULL WHERE user_id = $1 AND remembered_until IS NOT NULL",
    )
    .bind(user_id)
    .execute(db)
    .await?;
    Ok(done.rows_affected())
}

/// A remembered browser, for the Account page (`id`: a prefix of its hash).
#[derive(Debug, Clone)]
pub struct Remembered {
    pub id: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub last_seen: i64,
    pub remembered_until: i64,
    pub current: bool,
}

/// The public id of a browser: the first 20 hex digits of its hash, as for sessions.
fn public_id(hash: &str) -> String {
    hash.chars().take(20).collect()
}

pub async fn remembered(db: &Db, user_id: i64, current_hash: Option<&str>, now: i64) -> AppResult<Vec<Remembered>> {
    let rows = sqlx::query(
        "SELECT browser_hash, user_agent, ip, last_seen, remembered_until FROM known_browsers \
         WHERE user_id = $1 AND remembered_until > $2 ORDER BY last_seen DESC",
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(db)
    .await?;
    let one = |r: &sqlx::any::AnyRow| -> Result<Remembered, sqlx::Error> {
        let hash: String = r.try_get("browser_hash")?;
        Ok(Remembered {
            id: public_id(&hash),
            current: current_hash == Some(hash.as_str()),
            user_agent: r.try_get("user_agent")?,
            ip: r.try_get("ip")?,
            last_seen: r.try_get("last_seen")?,
            remembered_until: r.try_get("remembered_until")?,
        })
    };
    Ok(rows.iter().map(one).collect::<Result<_, _>>()?)
}

/// "Forget" one remembered browser of the account, by its public id; false when none matched.
pub async fn forget<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    public: &str,
) -> AppResult<bool> {
    if public.len() != 20 || !public.chars().all(|c| c.is_ascii_hexdigit()) {
        return Ok(false);
    }
    let done = sqlx::query(
        "UPDATE known_browsers SET remembered_until = NULL \
         WHERE user_id = $1 AND substr(browser_hash, 1, 20) = $2 AND remembered_until IS NOT NULL",
    )
    .bind(user_id)
    .bind(public.to_ascii_lowercase())
    .execute(db)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Whether the account gets the "new sign-in" mail.
pub async fn wants_mail<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<bool> {
    let row = sqlx::query("SELECT new_browser_mail FROM users WHERE id = $1").bind(user_id).fetch_one(db).await?;
    Ok(row.try_get::<i64, _>("new_browser_mail")? != 0)
}

pub async fn set_wants_mail(db: &Db, user_id: i64, on: bool) -> AppResult<()> {
    sqlx::query("UPDATE users SET new_browser_mail = $1 WHERE id = $2")
        .bind(i64::from(on))
        .bind(user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether an organization of the account forbids remembered browsers.
pub async fn forbidden_for<'c>(db: impl sqlx::Executor<'c, Database = sqlx::Any>, user_id: i64) -> AppResult<bool> {
    let row = sqlx::query(
        "SELECT 1 AS one FROM organizations o JOIN memberships m ON m.org_id = o.id \
         WHERE m.user_id = $1 AND o.forbid_remembered_browsers <> 0 LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.is_some())
}

/// Whether the organization forbids remembered browsers to its members.
pub async fn org_forbids(db: &Db, org_id: i64) -> AppResult<bool> {
    let row = sqlx::query("SELECT forbid_remembered_browsers FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_one(db)
        .await?;
    Ok(row.try_get::<i64, _>("forbid_remembered_browsers")? != 0)
}

/// Forbids (or allows again) remembered browsers in the organization; when
/// forbidding, its members' remembered browsers are forgotten at once.
pub async fn set_org_forbids(tx: &mut sqlx::Transaction<'_, sqlx::Any>, org_id: i64, forbid: bool) -> AppResult<()> {
    sqlx::query("UPDATE organizations SET forbid_remembered_browsers = $1 WHERE id = $2")
        .bind(i64::from(forbid))
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    if forbid {
        sqlx::query(
            "UPDATE known_browsers SET remembered_until = NULL WHERE remembered_until IS NOT NULL \
             AND user_id IN (SELECT user_id FROM memberships WHERE org_id = $1)",
        )
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
