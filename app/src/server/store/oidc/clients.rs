//! Registered applications ("clients"), each belonging to one organization.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::lines;
use crate::applications::SigningAlg;
use crate::error::AppResult;
use crate::server::db::Db;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub id: i64,
    pub client_id: String,
    pub org_id: i64,
    pub name: String,
    pub secret_hash: Option<String>,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub require_two_factor: bool,
    pub id_token_alg: SigningAlg,
    /// May introspect the tokens of every application of its organization.
    pub resource_server: bool,
    pub backchannel_logout_uri: Option<String>,
    /// May use the client credentials grant (a CI job, a daemon).
    pub service: bool,
    /// A shorter life for its refresh tokens than the default.
    pub refresh_token_secs: Option<i64>,
    pub disabled: bool,
    pub created_at: i64,
}

impl Client {
    pub fn public(&self) -> bool {
        self.secret_hash.is_none()
    }
}

const COLUMNS: &str = "id, client_id, org_id, name, secret_hash, redirect_uris, post_logout_redirect_uris, \
                       require_two_factor, id_token_alg, resource_server, backchannel_logout_uri, service, \
                       refresh_token_secs, disabled, created_at";

fn from_row(row: &AnyRow) -> Result<Client, sqlx::Error> {
    Ok(Client {
        id: row.try_get("id")?,
        client_id: row.try_get("client_id")?,
        org_id: row.try_get("org_id")?,
        name: row.try_get("name")?,
        secret_hash: row.try_get("secret_hash")?,
        redirect_uris: lines(&row.try_get::<String, _>("redirect_uris")?),
        post_logout_redirect_uris: lines(&row.try_get::<String, _>("post_logout_redirect_uris")?),
        require_two_factor: row.try_get::<i64, _>("require_two_factor")? == 1,
        // Only the two names are ever written; a hand-edited row signs as the default.
        id_token_alg: SigningAlg::parse(&row.try_get::<String, _>("id_token_alg")?).unwrap_or_default(),
        resource_server: row.try_get::<i64, _>("resource_server")? == 1,
        backchannel_logout_uri: row.try_get("backchannel_logout_uri")?,
        service: row.try_get::<i64, _>("service")? == 1,
        refresh_token_secs: row.try_get("refresh_token_secs")?,
        disabled: row.try_get::<i64, _>("disabled")? == 1,
        created_at: row.try_get("created_at")?,
    })
}

/// By the public client id (any text a request carries: compared as is).
pub async fn find(db: &Db, client_id: &str) -> AppResult<Option<Client>> {
    if client_id.len() > 100 {
        return Ok(None);
    }
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM oidc_clients WHERE client_id = $1"))
        .bind(client_id)
        .fetch_optional(db)
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub async fn find_by_id(db: &Db, id: i64) -> AppResult<Option<Client>> {
    let row =
        sqlx::query(&format!("SELECT {COLUMNS} FROM oidc_clients WHERE id = $1")).bind(id).fetch_optional(db).await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub async fn list_for_org(db: &Db, org_id: i64) -> AppResult<Vec<Client>> {
    let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM oidc_clients WHERE org_id = $1 ORDER BY name, id"))
        .bind(org_id)
        .fetch_all(db)
        .await?;
    Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
}

/// The origins of enabled public clients' web redirect URIs: browser apps
/// that call the token, userinfo and revocation endpoints themselves (CORS).
pub async fn public_origins(db: &Db) -> AppResult<Vec<String>> {
    let rows = sqlx::query("SELECT redirect_uris FROM oidc_clients WHERE secret_hash IS NULL AND disabled = 0")
        .fetch_all(db)
        .await?;
    let mut origins = Vec::new();
    for row in &rows {
        for uri in lines(&row.try_get::<String, _>("redirect_uris")?) {
            // A native app's custom scheme has no web origin ("null"): never allowed.
            let origin = url::Url::parse(&uri).ok().map(|u| u.origin()).filter(url::Origin::is_tuple);
            if let Some(origin) = origin.map(|o| o.ascii_serialization()) {
                if !origins.contains(&origin) {
                    origins.push(origin);
                }
            }
        }
    }
    Ok(origins)
}

/// A registration, validated.
#[derive(Debug, Clone)]
pub struct NewClient {
    pub org_id: i64,
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub secret_hash: Option<String>,
    pub require_two_factor: bool,
    pub id_token_alg: SigningAlg,
    pub resource_server: bool,
    pub backchannel_logout_uri: Option<String>,
    pub service: bool,
    pub refresh_token_secs: Option<i64>,
}

/// What a registration and an edit both write, as $1 to $9, in this order.
const FIELDS: &str = "name, redirect_uris, post_logout_redirect_uris, require_two_factor, id_token_alg, \
                      resource_server, backchannel_logout_uri, service, refresh_token_secs";

type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

fn bind_fields<'q>(query: Query<'q>, new: &'q NewClient) -> Query<'q> {
    query
        .bind(&new.name)
        .bind(new.redirect_uris.join("\n"))
        .bind(new.post_logout_redirect_uris.join("\n"))
        .bind(i64::from(new.require_two_factor))
        .bind(new.id_token_alg.as_str())
        .bind(i64::from(new.resource_server))
        .bind(new.backchannel_logout_uri.as_deref())
        .bind(i64::from(new.service))
        .bind(new.refresh_token_secs)
}

pub async fn insert(conn: &mut sqlx::AnyConnection, client_id: &str, new: &NewClient, now: i64) -> AppResult<i64> {
    let sql = format!(
        "INSERT INTO oidc_clients ({FIELDS}, client_id, org_id, secret_hash, disabled, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13) RETURNING id"
    );
    let row = bind_fields(sqlx::query(&sql), new)
        .bind(client_id)
        .bind(new.org_id)
        .bind(new.secret_hash.as_deref())
        .bind(now)
        .fetch_one(conn)
        .await?;
    Ok(row.try_get("id")?)
}

/// What an edit changes (a public client stays public, a confidential one keeps its secret).
/// False when there is no such client in the organization.
pub async fn update(conn: &mut sqlx::AnyConnection, client_id: &str, new: &NewClient) -> AppResult<bool> {
    let sql = format!(
        "UPDATE oidc_clients SET ({FIELDS}) = ($1, $2, $3, $4, $5, $6, $7, $8, $9) WHERE org_id = $10 AND client_id = $11"
    );
    let done = bind_fields(sqlx::query(&sql), new).bind(new.org_id).bind(client_id).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// The organizations whose members the client admits besides its own: (id, slug, name), by name.
pub async fn admitted_orgs(db: &Db, client: i64) -> AppResult<Vec<(i64, String, String)>> {
    let rows = sqlx::query(
        "SELECT o.id, o.slug, o.name FROM oidc_client_orgs a JOIN organizations o ON o.id = a.org_id \
         WHERE a.client_id = $1 ORDER BY o.name, o.id",
    )
    .bind(client)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("slug")?, r.try_get("name")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Replaces the organizations the client admits besides its own.
pub async fn set_admitted_orgs(conn: &mut sqlx::AnyConnection, client: i64, orgs: &[i64]) -> AppResult<()> {
    sqlx::query("DELETE FROM oidc_client_orgs WHERE client_id = $1").bind(client).execute(&mut *conn).await?;
    for org in orgs {
        sqlx::query("INSERT INTO oidc_client_orgs (client_id, org_id) VALUES ($1, $2)")
            .bind(client)
            .bind(org)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Whether the user is a member of the client's organization or of one it admits:
/// the organizations they are admitted through (their policies apply).
pub async fn admitting_orgs(db: &Db, client: &Client, user_id: i64) -> AppResult<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT m.org_id FROM memberships m WHERE m.user_id = $1 AND (m.org_id = $2 \
         OR m.org_id IN (SELECT org_id FROM oidc_client_orgs WHERE client_id = $3)) ORDER BY m.org_id",
    )
    .bind(user_id)
    .bind(client.org_id)
    .bind(client.id)
    .fetch_all(db)
    .await?;
    rows.iter().map(|r| r.try_get("org_id")).collect::<Result<_, sqlx::Error>>().map_err(Into::into)
}

/// Replaces a confidential client's secret; false when there is no such confidential client in the organization.
pub async fn set_secret(conn: &mut sqlx::AnyConnection, org_id: i64, client_id: &str, hash: &str) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE oidc_clients SET secret_hash = $1 WHERE org_id = $2 AND client_id = $3 AND secret_hash IS NOT NULL",
    )
    .bind(hash)
    .bind(org_id)
    .bind(client_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Only if it is not already so: false when nothing changed.
pub async fn set_disabled(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    client_id: &str,
    disabled: bool,
) -> AppResult<bool> {
    let done =
        sqlx::query("UPDATE oidc_clients SET disabled = $1 WHERE org_id = $2 AND client_id = $3 AND disabled <> $1")
            .bind(i64::from(disabled))
            .bind(org_id)
            .bind(client_id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the application and, by cascade, its codes, tokens, consents and sign-ins.
pub async fn delete(conn: &mut sqlx::AnyConnection, org_id: i64, client_id: &str) -> AppResult<bool> {
    let done = sqlx::query("DELETE FROM oidc_clients WHERE org_id = $1 AND client_id = $2")
        .bind(org_id)
        .bind(client_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The latest sign-ins: (client row id, name, email, proof, time), newest first, `per_client` each.
pub async fn recent_sign_ins(
    db: &Db,
    org_id: i64,
    per_client: i64,
) -> AppResult<Vec<(i64, String, String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT s.client_id, u.name, u.email, s.proof, s.created_at FROM oidc_sign_ins s \
         JOIN oidc_clients c ON c.id = s.client_id JOIN users u ON u.id = s.user_id \
         WHERE c.org_id = $1 AND (SELECT COUNT(*) FROM oidc_sign_ins n WHERE n.client_id = s.client_id \
         AND (n.created_at > s.created_at OR (n.created_at = s.created_at AND n.id > s.id))) < $2 \
         ORDER BY s.created_at DESC, s.id DESC",
    )
    .bind(org_id)
    .bind(per_client)
    .fetch_all(db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("client_id")?,
                r.try_get("name")?,
                r.try_get("email")?,
                r.try_get("proof")?,
                r.try_get("created_at")?,
            ))
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}
