//! "Allow", remembered per user and application, with the scopes allowed.

use sqlx::Row;

use crate::applications::AllowedApplication;
use crate::error::AppResult;
use crate::oidc::scope::Scopes;
use crate::server::db::Db;

/// The scopes allowed, and when.
pub async fn find(db: &Db, user_id: i64, client: i64) -> AppResult<Option<(Scopes, i64)>> {
    let row = sqlx::query("SELECT scope, granted_at FROM oidc_consents WHERE user_id = $1 AND client_id = $2")
        .bind(user_id)
        .bind(client)
        .fetch_optional(db)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let scopes = Scopes::parse(&row.try_get::<String, _>("scope")?).ok();
    Ok(scopes.map(|s| Ok::<_, sqlx::Error>((s, row.try_get("granted_at")?))).transpose()?)
}

/// Records "Allow" for `scopes` (added to what was allowed before).
pub async fn allow(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    client: i64,
    scopes: &Scopes,
    now: i64,
) -> AppResult<()> {
    let before = sqlx::query("SELECT scope FROM oidc_consents WHERE user_id = $1 AND client_id = $2")
        .bind(user_id)
        .bind(client)
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get::<String, _>("scope"))
        .transpose()?
        .and_then(|s| Scopes::parse(&s).ok());
    let scopes = before.map_or_else(|| scopes.clone(), |b| b.union(scopes));
    sqlx::query(
        "INSERT INTO oidc_consents (user_id, client_id, scope, granted_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, client_id) DO UPDATE SET scope = $3, granted_at = $4",
    )
    .bind(user_id)
    .bind(client)
    .bind(scopes.to_string())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn remove(conn: &mut sqlx::AnyConnection, user_id: i64, client: i64) -> AppResult<bool> {
    let done = sqlx::query("DELETE FROM oidc_consents WHERE user_id = $1 AND client_id = $2")
        .bind(user_id)
        .bind(client)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The Account page's "Applications you signed in to".
pub async fn list_for_user(db: &Db, user_id: i64) -> AppResult<Vec<AllowedApplication>> {
    let rows = sqlx::query(
        "SELECT c.client_id, c.name, o.name AS org_name, k.scope, k.granted_at FROM oidc_consents k \
         JOIN oidc_clients c ON c.id = k.client_id JOIN organizations o ON o.id = c.org_id \
         WHERE k.user_id = $1 ORDER BY c.name, c.id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AllowedApplication {
                client_id: r.try_get("client_id")?,
                name: r.try_get("name")?,
                org_name: r.try_get("org_name")?,
                scopes: r.try_get::<String, _>("scope")?.split(' ').map(str::to_string).collect(),
                granted_at: r.try_get("granted_at")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
