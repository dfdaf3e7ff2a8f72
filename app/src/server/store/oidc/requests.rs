//! Validated authorization requests waiting for their user. Nothing is
//! stored when one arrives: the request is sealed into its handle (`pcq_…`),
//! which our own URLs carry through login and consent. A handle is bound to
//! the browser that started it (a random cookie, of which the handle holds
//! the hash), so a leaked handle is no use in another browser, and it is used
//! once: when a code or an error goes back to the application.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::AppResult;
use crate::oidc::authorize::{AuthRequest, Prompt};
use crate::oidc::scope::Scopes;
use crate::oidc::tokens;
use crate::server::db::Db;
use crate::server::store::sealed;
use crate::server::Settings;
use crate::twofactor::secret_box::Keys;

const PREFIX: &str = "pcq_";
const PURPOSE: &str = "oidc-authorization-request";
/// The cookie that binds requests to the browser they started in.
pub const BINDING_COOKIE: &str = "portcullis_authz";

#[derive(Debug, Clone)]
pub struct Stored {
    /// What the used-handles table keeps once the request is used.
    pub id_hash: String,
    pub client: i64,
    pub request: AuthRequest,
    /// The session the request came with, if any.
    pub session_hash: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The request as sealed into its handle.
#[derive(Serialize, Deserialize)]
struct Wire {
    client: i64,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: Option<String>,
    prompt: String,
    max_age: Option<i64>,
    /// Absent from handles sealed before step-up existed.
    #[serde(default)]
    acr_values: Vec<String>,
    session_hash: Option<String>,
    created_at: i64,
    browser: String,
}

fn binding_hash(binding: &str) -> String {
    hex::encode(Sha256::digest(format!("authz-binding:{binding}").as_bytes()))
}

/// A fresh value for the binding cookie.
pub fn new_binding() -> String {
    tokens::new(tokens::Kind::Request)
}

pub fn binding_cookie(binding: &str, settings: &Settings) -> String {
    // A session cookie of the browser: it outlives every request sealed to it.
    crate::server::store::sessions::build_cookie(BINDING_COOKIE, Some(binding), 30 * 86_400, settings)
}

/// Seals the request, bound to the browser's `binding`; returns the handle for the URL.
pub fn create(
    keys: &Keys,
    client: i64,
    request: &AuthRequest,
    (session_hash, binding): (Option<&str>, &str),
    now: i64,
) -> AppResult<String> {
    let wire = Wire {
        client,
        redirect_uri: request.redirect_uri.clone(),
        scope: request.scopes.to_string(),
        state: request.state.clone(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
        prompt: request.prompt.as_string(),
        max_age: request.max_age,
        acr_values: request.acr_values.clone(),
        session_hash: session_hash.map(str::to_string),
        created_at: now,
        browser: binding_hash(binding),
    };
    sealed::seal(keys, PURPOSE, PREFIX, &wire, now + tokens::REQUEST_SECS)
}

/// The request behind a handle, unless it expired, was used, or belongs to another browser.
pub async fn load(db: &Db, keys: &Keys, handle: &str, binding: Option<&str>, now: i64) -> AppResult<Option<Stored>> {
    let Some((wire, expires_at)) = sealed::open::<Wire>(keys, PURPOSE, PREFIX, handle, now) else { return Ok(None) };
    let ours = binding.is_some_and(|b| bool::from(binding_hash(b).as_bytes().ct_eq(wire.browser.as_bytes())));
    let id_hash = sealed::hash(handle);
    if !ours || sealed::was_used(db, &id_hash).await? {
        return Ok(None);
    }
    // Sealed by us from a validated request: it parses again.
    let Ok(scopes) = Scopes::parse(&wire.scope) else { return Ok(None) };
    Ok(Some(Stored {
        id_hash,
        client: wire.client,
        request: AuthRequest {
            redirect_uri: wire.redirect_uri,
            scopes,
            state: wire.state,
            nonce: wire.nonce,
            code_challenge: wire.code_challenge,
            prompt: Prompt::parse(Some(&wire.prompt)).unwrap_or_default(),
            max_age: wire.max_age,
            acr_values: wire.acr_values,
        },
        session_hash: wire.session_hash,
        created_at: wire.created_at,
        expires_at,
    }))
}

/// Uses the request up; true only for the one caller that did.
pub async fn consume(conn: &mut sqlx::AnyConnection, stored: &Stored) -> AppResult<bool> {
    sealed::use_once(conn, &stored.id_hash, stored.expires_at).await
}
