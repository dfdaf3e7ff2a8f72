//! Who calls the REST API (/api/v1): a personal access token (`Bearer`), or
//! HTTP Basic with an application password, or with the account's password
//! while the account has no two-factor authentication. Failures count
//! toward the login form's limits (per account and per address) and show in
//! the account's security log.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use crate::api_access::{CredentialKind, Scope};
use crate::error::{AppError, AppResult};
use crate::model::{OrgSummary, User};
use crate::server::guards::attempts::{self, Counter};
use crate::server::refusals::{CredentialsRefused, Refused};
use crate::server::store::api_tokens::{self, Stored};
use crate::server::store::events::{self, RequestMeta, SecurityEvent};
use crate::server::{guards::login_attempts, store::credentials, store::users, AppState};

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Token {
        id: i64,
    },
    AppPassword {
        id: i64,
    },
    /// The account's own password (accounts without 2FA only).
    Password,
}

#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub user: User,
    pub via: Via,
    pub scopes: Vec<Scope>,
}

impl ApiCaller {
    /// Every route names the one scope it needs.
    pub fn require(&self, scope: Scope) -> AppResult<()> {
        if self.scopes.contains(&scope) {
            return Ok(());
        }
        Err(Refused::MissingScope(scope).into())
    }
}

fn unauthorized(why: CredentialsRefused) -> AppError {
    Refused::Credentials(why).into()
}

/// Authenticates the `Authorization` header of an API request.
// `skip_all`: the header carries secrets.
#[tracing::instrument(skip_all)]
pub async fn authenticate(state: &AppState, meta: &RequestMeta, authorization: Option<&str>) -> AppResult<ApiCaller> {
    let Some(header) = authorization else {
        return Err(unauthorized(CredentialsRefused::Missing));
    };
    let (scheme, value) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
    let value = value.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        bearer(state, meta, value).await
    } else if scheme.eq_ignore_ascii_case("basic") {
        basic(state, meta, value).await
    } else {
        Err(unauthorized(CredentialsRefused::UnsupportedScheme))
    }
}

/// The address's login allowance, read without taking an attempt: a token
/// has 190 random bits, so only failures are counted.
async fn address_waiting(state: &AppState, meta: &RequestMeta) -> AppResult<()> {
    if let Some(ip) = meta.ip {
        if let Some(secs) = attempts::waiting(&state.db, &Counter::login_address(ip), state.clock.now()).await? {
            return Err(AppError::RateLimited { retry_after_secs: secs });
        }
    }
    Ok(())
}

/// A failed token: one failure for the address, and a row in the owner's
/// security log when the token was theirs (revoked, expired, misused).
async fn failed(state: &AppState, meta: &RequestMeta, owner: Option<i64>, error: AppError) -> AppResult<ApiCaller> {
    let now = state.clock.now();
    if let Some(ip) = meta.ip {
        // Counted as it stands; a wait already in force answers the same refusal.
        if let Ok(reservation) = attempts::reserve(&state.db, Counter::login_address(ip), now).await {
            drop(reservation);
        }
    }
    if let Some(user_id) = owner {
        events::record(&state.db, user_id, SecurityEvent::ApiAuthFailed, meta, now).await?;
    }
    Err(error)
}

async fn bearer(state: &AppState, meta: &RequestMeta, token: &str) -> AppResult<ApiCaller> {
    address_waiting(state, meta).await?;
    match api_tokens::recognise(token) {
        Some(CredentialKind::PersonalAccessToken) => {}
        Some(CredentialKind::ApplicationPassword) => {
            let error = unauthorized(CredentialsRefused::AppPasswordNeedsBasic);
            return failed(state, meta, None, error).await;
        }
        None => {
            let error = unauthorized(CredentialsRefused::NotAToken);
            return failed(state, meta, None, error).await;
        }
    }
    let stored = api_tokens::find(&state.db, token).await?;
    let Some(stored) = stored else {
        return failed(state, meta, None, unauthorized(CredentialsRefused::InvalidToken)).await;
    };
    usable(state, meta, &stored).await?;
    let user = users::find_by_id(&state.db, stored.user_id)
        .await?
        .ok_or_else(|| unauthorized(CredentialsRefused::InvalidToken))?;
    api_tokens::touch(&state.db, &stored, meta.ip.map(|ip| ip.to_string()).as_deref(), state.clock.now()).await?;
    Ok(ApiCaller { user, via: Via::Token { id: stored.id }, scopes: stored.scopes })
}

/// Why a stored credential no longer works: revoked, or expired.
fn unusable(stored: &Stored, now: i64) -> Option<CredentialsRefused> {
    if stored.revoked {
        return Some(CredentialsRefused::Revoked(stored.kind));
    }
    let expiry = stored.expires_at.filter(|at| *at <= now)?;
    Some(CredentialsRefused::Expired(stored.kind, expiry))
}

/// Not revoked, not expired.
async fn usable(state: &AppState, meta: &RequestMeta, stored: &Stored) -> AppResult<()> {
    match unusable(stored, state.clock.now()) {
        Some(why) => failed(state, meta, Some(stored.user_id), unauthorized(why)).await.map(drop),
        None => Ok(()),
    }
}

/// `email:password`, base64-encoded.
fn decode_basic(value: &str) -> Option<(String, String)> {
    let bytes = STANDARD.decode(value).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (email, password) = text.split_once(':')?;
    Some((email.to_string(), password.to_string()))
}

// `skip_all`: the password never reaches a log line.
#[tracing::instrument(skip_all)]
async fn basic(state: &AppState, meta: &RequestMeta, value: &str) -> AppResult<ApiCaller> {
    let Some((email, password)) = decode_basic(value) else {
        return Err(unauthorized(CredentialsRefused::MalformedBasic));
    };
    crate::validate::password_length(&password).map_err(|_| AppError::InvalidCredentials)?;
    // The same allowance as the login form, for the account and the address.
    let attempt = login_attempts::begin(state, &email, meta).await?;
    if api_tokens::recognise(&password) == Some(CredentialKind::ApplicationPassword) {
        let found = api_tokens::find(&state.db, &password).await?;
        let owner = match &found {
            Some(stored) => users::find_by_id(&state.db, stored.user_id).await?,
            None => None,
        };
        let matches = |u: &User| u.email.eq_ignore_ascii_case(email.trim());
        let (Some(stored), Some(user)) = (found, owner.filter(matches)) else {
            attempt.failed(state, meta).await?;
            return Err(AppError::InvalidCredentials);
        };
        if stored.kind != CredentialKind::ApplicationPassword {
            attempt.failed(state, meta).await?;
            return Err(AppError::InvalidCredentials);
        }
        // A revoked or expired application password is a wrong password: counted, and answered
        // with the same words (saying "revoked" would confirm that email and password belong together).
        if unusable(&stored, state.clock.now()).is_some() {
            events::record(&state.db, user.id, SecurityEvent::ApiAuthFailed, meta, state.clock.now()).await?;
            attempt.failed(state, meta).await?;
            return Err(AppError::InvalidCredentials);
        }
        attempt.succeeded(state).await?;
        api_tokens::touch(&state.db, &stored, meta.ip.map(|ip| ip.to_string()).as_deref(), state.clock.now()).await?;
        return Ok(ApiCaller { user, via: Via::AppPassword { id: stored.id }, scopes: stored.scopes });
    }
    let found = match crate::validate::email(&email) {
        Ok(email) => users::find_with_hash(&state.db, &email).await?,
        Err(_) => None,
    };
    let (user, hash) = found.map_or((None, None), |(user, hash)| (Some(user), hash));
    let right = match state.hasher.verify(password, hash).await {
        Ok(right) => right,
        Err(e) => {
            attempt.abandoned(state).await?;
            return Err(e);
        }
    };
    let Some(user) = user.filter(|_| right) else {
        attempt.failed(state, meta).await?;
        return Err(AppError::InvalidCredentials);
    };
    attempt.succeeded(state).await?;
    if credentials::is_enabled(&state.db, user.id).await? {
        events::record(&state.db, user.id, SecurityEvent::ApiAuthFailed, meta, state.clock.now()).await?;
        return Err(unauthorized(CredentialsRefused::TwoFactorNeedsToken { email: user.email.clone() }));
    }
    Ok(ApiCaller { user, via: Via::Password, scopes: Scope::ALL.to_vec() })
}

/// The organization gate for the API: the same `member_org` check as pages
/// and server functions (membership, the two-factor requirement), then the
/// organization's switch for tokens and application passwords.
pub async fn org_access(state: &AppState, caller: &ApiCaller, slug: &str) -> AppResult<OrgSummary> {
    let org = crate::server::guards::compliance::member_org(state, &caller.user, slug).await?;
    if caller.via != Via::Password && !api_tokens::org_allows(&state.db, org.id).await? {
        return Err(Refused::TokensNotAllowed { org: org.name }.into());
    }
    Ok(org)
}
