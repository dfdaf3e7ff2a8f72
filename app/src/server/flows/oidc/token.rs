//! Use cases of the token, userinfo and revocation endpoints: client
//! authentication (rate-limited), code redemption with PKCE, refresh-token
//! rotation with reuse detection, userinfo and revocation.

use serde_json::{json, Value};

use super::{admission, Ctx, Issuer};
use crate::oidc::claims::{self, IdToken, Membership, Person};
use crate::oidc::error::{ErrorCode, OAuthError};
use crate::oidc::pkce;
use crate::oidc::scope::Scopes;
use crate::oidc::tokens::{self, Kind};
use crate::server::guards::attempts::{self, Counter};
use crate::server::store::events::SecurityEvent;
use crate::server::store::oidc::grants::{self, Grant};
use crate::server::store::oidc::{clients, codes, keys};
use crate::server::{store::credentials, store::orgs};

type OAuthResult<T> = Result<T, OAuthError>;

/// How the client presented itself: HTTP Basic or the form (never both).
#[derive(Debug, Clone, Default)]
pub struct Presented {
    pub basic: Option<(String, String)>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// Authenticates the client: confidential ones by their secret (failures
/// counted per client and address, waits after 20 an hour, never for the
/// right secret), public ones by id alone.
#[tracing::instrument(skip_all)]
pub async fn authenticate(cx: &Ctx<'_>, presented: &Presented) -> OAuthResult<clients::Client> {
    let (client_id, secret) = match (&presented.basic, &presented.client_id, &presented.client_secret) {
        (Some(_), _, Some(_)) => {
            return Err(OAuthError::invalid_request("Authenticate with HTTP Basic or with the form, not both."))
        }
        (Some((id, secret)), form_id, None) => {
            if form_id.as_ref().is_some_and(|f| f != id) {
                return Err(OAuthError::invalid_request("The client_id differs from the authenticated client."));
            }
            (id.as_str(), Some(secret.as_str()))
        }
        (None, Some(id), secret) => (id.as_str(), secret.as_deref()),
        (None, None, _) => return Err(OAuthError::invalid_client("The client is not identified (client_id).")),
    };
    let unknown = || OAuthError::invalid_client("Unknown client, or wrong client secret.");
    let client = clients::find(&cx.state.db, client_id).await?.ok_or_else(unknown)?;
    if client.disabled {
        return Err(OAuthError::invalid_client("The application is disabled by its organization."));
    }
    match (&client.secret_hash, secret) {
        (None, None) => Ok(client),
        (None, Some(_)) => Err(OAuthError::invalid_client("This is a public client: it has no secret.")),
        (Some(_), None) => Err(unknown()),
        (Some(stored), Some(given)) => {
            // The right secret always authenticates: `client_id` is public, so a lockout of the
            // client would let anyone stop its sign-ins. A 256-bit secret is not guessed anyway;
            // failures only slow down the address that makes them.
            if tokens::secret_matches(given, stored) {
                return Ok(client);
            }
            let counter = Counter::client_auth(&client.client_id, cx.meta.ip);
            if let Some(wait) = attempts::waiting(&cx.state.db, &counter, cx.now).await? {
                return Err(crate::error::AppError::RateLimited { retry_after_secs: wait }.into());
            }
            // Kept, not released: the failure stays counted (a wait starts after too many).
            let _failure = attempts::reserve(&cx.state.db, counter, cx.now).await?;
            Err(unknown())
        }
    }
}

pub use super::Form;

/// `POST /oidc/token`.
// `skip_all`: codes, verifiers and tokens never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn exchange(cx: &Ctx<'_>, client: &clients::Client, form: &(dyn Form + Sync)) -> OAuthResult<Value> {
    match form.get("grant_type") {
        Some("authorization_code") => redeem_code(cx, client, form).await,
        Some("refresh_token") => refresh(cx, client, form).await,
        Some("client_credentials") => super::service::client_credentials(cx, client, form).await,
        Some(_) => Err(OAuthError::new(
            ErrorCode::UnsupportedGrantType,
            "Use authorization_code, refresh_token or (a service) client_credentials.",
        )),
        None => Err(OAuthError::invalid_request("The grant_type parameter is missing.")),
    }
}

async fn redeem_code(cx: &Ctx<'_>, client: &clients::Client, form: &(dyn Form + Sync)) -> OAuthResult<Value> {
    let db = &cx.state.db;
    let code = form.get("code").ok_or_else(|| OAuthError::invalid_request("The code parameter is missing."))?;
    let invalid = || OAuthError::invalid_grant("The code is invalid, expired, or was used already.");
    let found = codes::find(db, code).await?.ok_or_else(invalid)?;
    if found.client != client.id {
        return Err(invalid());
    }
    if found.redeemed.is_some() {
        // A replay: whatever the first redemption issued is revoked.
        revoke_replayed_code(cx, &found.hash, found.user_id).await?;
        return Err(invalid());
    }
    if found.expires_at <= cx.now {
        return Err(invalid());
    }
    if form.get("redirect_uri") != Some(found.redirect_uri.as_str()) {
        return Err(OAuthError::invalid_grant("The redirect_uri differs from the authorization request's."));
    }
    match (&found.code_challenge, form.get("code_verifier")) {
        (Some(challenge), Some(verifier)) if pkce::verify(verifier, challenge) => {}
        (Some(_), _) => return Err(OAuthError::invalid_grant("The code_verifier does not match the code_challenge.")),
        (None, Some(_)) => return Err(OAuthError::invalid_grant("No code_challenge was sent for this code.")),
        (None, None) => {}
    }
    let grant = Grant {
        id: grants::new_id(),
        client: client.id,
        user_id: found.user_id,
        scope: found.scope.clone(),
        auth_time: found.auth_time,
        proof: found.proof,
        sid: found.sid.clone(),
    };
    let prepared = prepare_id_token(cx, client, &grant).await?;
    let mut work = cx.work().await?;
    if !codes::redeem(work.tx(), &found.hash, &grant.id, cx.now).await? {
        work.abandon().await?;
        // Another redemption won the race: this one is a replay.
        revoke_replayed_code(cx, &found.hash, found.user_id).await?;
        return Err(invalid());
    }
    grants::insert(work.tx(), &grant, cx.now).await?;
    let issued = grants::issue(work.tx(), &grant.id, None, refresh_secs(client), cx.now).await?;
    work.commit().await?;
    crate::server::meters::tokens_issued("authorization_code");
    respond(cx, client, &grant, &issued, found.nonce.as_deref(), prepared)
}

/// The client's refresh token life (its choice, or the default).
fn refresh_secs(client: &clients::Client) -> i64 {
    tokens::refresh_lifetime(client.refresh_token_secs)
}

async fn revoke_replayed_code(cx: &Ctx<'_>, hash: &str, user_id: i64) -> OAuthResult<()> {
    let mut work = cx.work().await?;
    if let Some(grant) = codes::grant_of(work.tx(), hash).await? {
        if grants::revoke(work.tx(), &grant).await? {
            work.security(user_id, SecurityEvent::ApplicationTokenReused).await?;
        }
    }
    work.commit().await?;
    Ok(())
}

async fn refresh(cx: &Ctx<'_>, client: &clients::Client, form: &(dyn Form + Sync)) -> OAuthResult<Value> {
    let db = &cx.state.db;
    let token = form
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("The refresh_token parameter is missing."))?;
    let invalid = || OAuthError::invalid_grant("The refresh token is invalid, expired or revoked.");
    let found = grants::find(db, Kind::RefreshToken, token, cx.now).await?.ok_or_else(invalid)?;
    if found.grant.client != client.id {
        return Err(invalid());
    }
    if found.used {
        revoke_family(cx, &found.grant).await?;
        return Err(invalid());
    }
    if found.expired {
        return Err(invalid());
    }
    // RFC 6749 §6: a refresh may ask for less than was granted; the new access
    // token (and this answer) carry only that, the refresh token keeps the grant's.
    let mut narrower = None;
    if let Some(requested) = form.get("scope") {
        let granted = Scopes::parse(&found.grant.scope).map_err(|_| invalid())?;
        let asked = Scopes::parse(requested).map_err(|e| OAuthError::new(ErrorCode::InvalidScope, e.to_string()))?;
        if !granted.covers(&asked) {
            return Err(OAuthError::new(ErrorCode::InvalidScope, "A refresh cannot widen the scope."));
        }
        if !asked.covers(&granted) {
            narrower = Some(asked.to_string());
        }
    }
    let prepared = prepare_id_token(cx, client, &found.grant).await?;
    let mut work = cx.work().await?;
    if !grants::use_refresh_token(work.tx(), &found.hash, cx.now).await? {
        work.abandon().await?;
        revoke_family(cx, &found.grant).await?;
        return Err(invalid());
    }
    let issued = grants::issue(work.tx(), &found.grant.id, narrower.as_deref(), refresh_secs(client), cx.now).await?;
    work.commit().await?;
    crate::server::meters::tokens_issued("refresh_token");
    let grant = Grant { scope: narrower.unwrap_or_else(|| found.grant.scope.clone()), ..found.grant };
    respond(cx, client, &grant, &issued, None, prepared)
}

/// A rotated refresh token came again: someone holds a copy. The whole family goes.
async fn revoke_family(cx: &Ctx<'_>, grant: &Grant) -> OAuthResult<()> {
    let mut work = cx.work().await?;
    if grants::revoke(work.tx(), &grant.id).await? {
        work.security(grant.user_id, SecurityEvent::ApplicationTokenReused).await?;
    }
    work.commit().await?;
    Ok(())
}

/// Everything the ID token needs, read before the transaction (SQLite has one writer).
struct Prepared {
    key: crate::oidc::jws::SigningKey,
    name: String,
    email: String,
    email_verified: bool,
    orgs: Vec<Membership>,
}

/// Reads the user and signing key, and checks the user may still sign in.
async fn prepare_id_token(cx: &Ctx<'_>, client: &clients::Client, grant: &Grant) -> OAuthResult<Prepared> {
    let db = &cx.state.db;
    let (user, orgs) = standing(cx, client, grant).await?;
    let key = keys::current(db, &cx.state.keys, client.id_token_alg, cx.now).await?;
    let email_verified = crate::server::store::users::email_verified(db, user.id).await?;
    Ok(Prepared { key, name: user.name, email: user.email, email_verified, orgs })
}

/// The grant's user and their organizations, if they may still sign in to
/// the client (a member of its organization, with 2FA if it is required).
pub(super) async fn standing(
    cx: &Ctx<'_>,
    client: &clients::Client,
    grant: &Grant,
) -> OAuthResult<(crate::model::User, Vec<Membership>)> {
    let db = &cx.state.db;
    let user = crate::server::store::users::find_by_id(db, grant.user_id).await?;
    let admitted = admission::admission(db, client, grant.user_id, cx.now).await?;
    let Some(user) = user.filter(|_| admitted.member) else {
        return Err(OAuthError::invalid_grant("The user is no longer a member of the application's organization."));
    };
    let memberships = orgs::list_for_user(db, user.id).await?;
    // The organizations' rules (allowed factors included) as their pages apply them; the application's, any factor.
    let refused = admitted.org_refuses
        || admitted.unverified
        || (client.require_two_factor && !credentials::is_enabled(db, user.id).await?);
    if refused {
        return Err(OAuthError::invalid_grant("The user no longer has the two-factor authentication required."));
    }
    let orgs =
        memberships.into_iter().map(|o| Membership { slug: o.slug, name: o.name, role: o.my_role.as_str() }).collect();
    Ok((user, orgs))
}

fn respond(
    cx: &Ctx<'_>,
    client: &clients::Client,
    grant: &Grant,
    issued: &grants::Issued,
    nonce: Option<&str>,
    prepared: Prepared,
) -> OAuthResult<Value> {
    let issuer = cx.issuer()?;
    let scopes = Scopes::parse(&grant.scope).map_err(|_| OAuthError::server_error())?;
    let person = Person {
        subject: grant.user_id.to_string(),
        name: &prepared.name,
        email: &prepared.email,
        email_verified: prepared.email_verified,
    };
    let id_token = IdToken {
        issuer,
        client_id: &client.client_id,
        issued_at: cx.now,
        auth_time: grant.auth_time,
        proof: grant.proof,
        nonce,
        access_token: Some(&issued.access_token),
        sid: grant.sid.as_deref(),
    };
    let claims = claims::id_token_claims(&id_token, &person, &scopes, &prepared.orgs);
    Ok(json!({
        "access_token": issued.access_token,
        "token_type": "Bearer",
        "expires_in": tokens::ACCESS_TOKEN_SECS,
        "refresh_token": issued.refresh_token,
        "id_token": prepared.key.sign(&claims).ok_or_else(OAuthError::server_error)?,
        "scope": grant.scope,
    }))
}

/// `GET|POST /oidc/userinfo` with a bearer access token.
#[tracing::instrument(skip_all)]
pub async fn userinfo(cx: &Ctx<'_>, access_token: &str) -> OAuthResult<Value> {
    let db = &cx.state.db;
    let invalid = || OAuthError::new(ErrorCode::InvalidToken, "The access token is invalid, expired or revoked.");
    let found = grants::find(db, Kind::AccessToken, access_token, cx.now).await?.ok_or_else(invalid)?;
    if found.expired {
        return Err(invalid());
    }
    let client = clients::find_by_id(db, found.grant.client).await?.filter(|c| !c.disabled).ok_or_else(invalid)?;
    // The user's standing only: userinfo signs nothing, so no signing key is opened.
    let (user, orgs) = standing(cx, &client, &found.grant).await.map_err(|_| invalid())?;
    let scopes = Scopes::parse(&found.grant.scope).map_err(|_| invalid())?;
    let email_verified = crate::server::store::users::email_verified(db, user.id).await?;
    let person =
        Person { subject: found.grant.user_id.to_string(), name: &user.name, email: &user.email, email_verified };
    Ok(Value::Object(claims::scoped_claims(&person, &scopes, &orgs)))
}

/// `POST /oidc/revoke` (RFC 7009): a refresh token revokes its whole grant,
/// an access token itself. Unknown tokens, or another client's, change
/// nothing and are answered the same way.
#[tracing::instrument(skip_all)]
pub async fn revoke(cx: &Ctx<'_>, client: &clients::Client, token: &str) -> OAuthResult<()> {
    let db = &cx.state.db;
    for kind in [Kind::RefreshToken, Kind::AccessToken] {
        let Some(found) = grants::find(db, kind, token, cx.now).await? else { continue };
        if found.grant.client != client.id {
            return Ok(());
        }
        let mut work = cx.work().await?;
        if kind == Kind::RefreshToken {
            grants::revoke(work.tx(), &found.grant.id).await?;
        } else {
            grants::revoke_token(work.tx(), &found.hash).await?;
        }
        work.commit().await?;
        return Ok(());
    }
    if let Some(found) = crate::server::store::oidc::service_tokens::find(db, token, cx.now).await? {
        if found.client == client.id {
            crate::server::store::oidc::service_tokens::revoke(db, &found.hash).await?;
        }
    }
    Ok(())
}
