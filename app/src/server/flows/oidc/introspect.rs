//! `POST /oidc/introspect` (RFC 7662): may this token be honoured now, and
//! for whom. Confidential clients ask about their own tokens; a resource
//! server (registered as such) about those of every application of its
//! organization. Anything else, and any token not found, expired, used,
//! revoked or of a user who may no longer sign in, is `{"active": false}`:
//! the answer never tells which.

use serde_json::{json, Value};

use super::token::standing;
use super::{Ctx, Issuer};
use crate::oidc::claims::{acr, amr};
use crate::oidc::error::OAuthError;
use crate::oidc::tokens::{self, Kind};
use crate::server::store::oidc::{clients, grants, service_tokens};

type OAuthResult<T> = Result<T, OAuthError>;

fn inactive() -> Value {
    json!({ "active": false })
}

/// May `caller` learn about a token `owner` holds: its own, or as its organization's resource server.
fn may_ask(caller: &clients::Client, owner: &clients::Client) -> bool {
    !owner.disabled && (owner.id == caller.id || (caller.resource_server && owner.org_id == caller.org_id))
}

/// `hint`: `access_token` or `refresh_token` (RFC 7009 §2.1), looked up first.
#[tracing::instrument(skip_all)]
pub async fn introspect(cx: &Ctx<'_>, caller: &clients::Client, token: &str, hint: Option<&str>) -> OAuthResult<Value> {
    if caller.public() {
        return Err(OAuthError::invalid_client("A public client cannot introspect tokens: it has no secret."));
    }
    let db = &cx.state.db;
    let order = match hint {
        Some("refresh_token") => [Kind::RefreshToken, Kind::AccessToken],
        _ => [Kind::AccessToken, Kind::RefreshToken],
    };
    for kind in order {
        let Some(found) = grants::find(db, kind, token, cx.now).await? else { continue };
        if found.expired || found.used {
            return Ok(inactive());
        }
        let Some(owner) = clients::find_by_id(db, found.grant.client).await? else { return Ok(inactive()) };
        if !may_ask(caller, &owner) || standing(cx, &owner, &found.grant).await.is_err() {
            return Ok(inactive());
        }
        let (token_type, issued_for) = match kind {
            Kind::AccessToken => ("Bearer", tokens::ACCESS_TOKEN_SECS),
            _ => ("refresh_token", tokens::refresh_lifetime(owner.refresh_token_secs)),
        };
        return Ok(json!({
            "active": true,
            "token_type": token_type,
            "scope": found.grant.scope,
            "client_id": owner.client_id,
            "sub": found.grant.user_id.to_string(),
            "aud": owner.client_id,
            "iss": cx.issuer()?,
            "exp": found.expires_at,
            "iat": found.expires_at - issued_for,
            "auth_time": found.grant.auth_time,
            "acr": acr(found.grant.proof),
            "amr": amr(found.grant.proof),
        }));
    }
    // A service's own token (client credentials): no user, no sign-in.
    if let Some(found) = service_tokens::find(db, token, cx.now).await? {
        let owner = clients::find_by_id(db, found.client).await?;
        if let Some(owner) = owner.filter(|o| o.service && may_ask(caller, o)) {
            return Ok(json!({
                "active": true,
                "token_type": "Bearer",
                "scope": found.scope,
                "client_id": owner.client_id,
                "iss": cx.issuer()?,
                "exp": found.expires_at,
                "iat": found.expires_at - tokens::ACCESS_TOKEN_SECS,
            }));
        }
    }
    Ok(inactive())
}
