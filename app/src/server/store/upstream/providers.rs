//! `upstream_providers`: the issuers the operator configured. The client
//! secret is sealed with the server key (`reencrypt` re-seals it).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sqlx::Row;

use crate::error::{AppError, AppResult};
use crate::server::db::{is_unique_violation, Db};
use crate::server::refusals::Refused;
use crate::twofactor::secret_box::Keys;

/// A provider as configured, its secret opened.
#[derive(Clone, PartialEq, Eq)]
pub struct Provider {
    pub id: i64,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Space-separated, `openid` among them.
    pub scopes: String,
    pub allow_sign_up: bool,
    pub button_label: Option<String>,
}

impl std::fmt::Debug for Provider {
    // The secret never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("issuer", &self.issuer)
            .finish()
    }
}

impl Provider {
    /// What its button says.
    pub fn label(&self) -> String {
        self.button_label.clone().unwrap_or_else(|| format!("Sign in with {}", self.name))
    }
}

pub struct NewProvider<'a> {
    pub name: &'a str,
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub scopes: &'a str,
    pub allow_sign_up: bool,
    pub button_label: Option<&'a str>,
}

const PURPOSE: &str = "upstream-client-secret";

/// What a provider's sealed client secret is bound to.
pub(crate) fn secret_context(issuer: &str, client_id: &str) -> String {
    format!("{PURPOSE}:{issuer}:{client_id}")
}

const COLUMNS: &str = "id, name, issuer, client_id, client_secret_sealed, scopes, allow_sign_up, button_label";

fn from_row(keys: &Keys, row: &sqlx::any::AnyRow) -> AppResult<Provider> {
    let (issuer, client_id): (String, String) = (row.try_get("issuer")?, row.try_get("client_id")?);
    let sealed = STANDARD.decode(row.try_get::<String, _>("client_secret_sealed")?).map_err(|_| AppError::Internal)?;
    let secret = keys.open(&sealed, &secret_context(&issuer, &client_id)).map_err(|_| AppError::Internal)?;
    Ok(Provider {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        issuer,
        client_id,
        client_secret: String::from_utf8(secret).map_err(|_| AppError::Internal)?,
        scopes: row.try_get("scopes")?,
        allow_sign_up: row.try_get::<i64, _>("allow_sign_up")? != 0,
        button_label: row.try_get("button_label")?,
    })
}

pub async fn add(db: &Db, keys: &Keys, p: &NewProvider<'_>, now: i64) -> AppResult<i64> {
    let sealed = STANDARD.encode(keys.seal(p.client_secret.as_bytes(), &secret_context(p.issuer, p.client_id)));
    let row = sqlx::query(
        "INSERT INTO upstream_providers (name, issuer, client_id, client_secret_sealed, scopes, allow_sign_up, \
         button_label, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(p.name)
    .bind(p.issuer)
    .bind(p.client_id)
    .bind(sealed)
    .bind(p.scopes)
    .bind(i64::from(p.allow_sign_up))
    .bind(p.button_label)
    .bind(now)
    .fetch_one(db)
    .await;
    match row {
        Ok(row) => Ok(row.try_get("id")?),
        Err(e) if is_unique_violation(&e) => Err(Refused::ProviderNameTaken.into()),
        Err(e) => Err(e.into()),
    }
}

pub async fn all(db: &Db, keys: &Keys) -> AppResult<Vec<Provider>> {
    let rows =
        sqlx::query(&format!("SELECT {COLUMNS} FROM upstream_providers ORDER BY name, id")).fetch_all(db).await?;
    rows.iter().map(|row| from_row(keys, row)).collect()
}

pub async fn by_name(db: &Db, keys: &Keys, name: &str) -> AppResult<Option<Provider>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM upstream_providers WHERE name = $1"))
        .bind(name)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(|row| from_row(keys, row)).transpose()
}

pub async fn by_id(db: &Db, keys: &Keys, id: i64) -> AppResult<Option<Provider>> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM upstream_providers WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?;
    row.as_ref().map(|row| from_row(keys, row)).transpose()
}

/// Removes the provider and every identity linked through it: true if there was one.
pub async fn remove(db: &Db, name: &str) -> AppResult<bool> {
    let mut tx = db.begin().await?;
    let Some(row) =
        sqlx::query("SELECT id FROM upstream_providers WHERE name = $1").bind(name).fetch_optional(&mut *tx).await?
    else {
        return Ok(false);
    };
    let id: i64 = row.try_get("id")?;
    // Spelled out: SQLite enforces ON DELETE CASCADE only with foreign keys on.
    sqlx::query("DELETE FROM upstream_identities WHERE provider_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM upstream_providers WHERE id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(true)
}
