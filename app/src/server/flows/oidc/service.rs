//! The client credentials grant (RFC 6749 §4.4): a confidential client
//! registered as a service (a CI job, a daemon) gets an access token of its
//! own, naming no user, for a resource server that introspects it. No
//! refresh token, no ID token; the scopes we know all name a user, so none
//! may be asked for.

use serde_json::{json, Value};

use super::{Ctx, Form};
use crate::oidc::error::{ErrorCode, OAuthError};
use crate::oidc::tokens;
use crate::server::store::oidc::{clients, service_tokens};

type OAuthResult<T> = Result<T, OAuthError>;

/// `grant_type=client_credentials` at `POST /oidc/token`.
pub async fn client_credentials(
    cx: &Ctx<'_>,
    client: &clients::Client,
    form: &(dyn Form + Sync),
) -> OAuthResult<Value> {
    if client.public() || !client.service {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "Only an application registered as a service may use client_credentials.",
        ));
    }
    if form.get("scope").is_some_and(|s| !s.trim().is_empty()) {
        return Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "A service's token names no user: ask for no scope (openid, profile, email, orgs and groups are about people).",
        ));
    }
    let mut work = cx.work().await?;
    let token = service_tokens::issue(work.tx(), client.id, "", cx.now).await?;
    work.commit().await?;
    crate::server::meters::tokens_issued("client_credentials");
    Ok(json!({ "access_token": token, "token_type": "Bearer", "expires_in": tokens::ACCESS_TOKEN_SECS }))
}
