//! The user's side: the applications they allowed ("Revoke"), and logging
//! out at an application's request (RP-initiated logout).

use super::{authorize, Ctx, Issuer};
use crate::applications::{AllowedApplication, LogoutPrompt};
use crate::error::AppResult;
use crate::oidc::jws;
use crate::oidc::redirect::{self, with_params};
use crate::server::refusals::{LogoutRefused, Refused};
use crate::server::store::events::SecurityEvent;
use crate::server::store::oidc::{clients, consents, grants, keys};

pub const LOGOUT_RETURN_PATH: &str = "/oidc/logout/return";

pub async fn allowed(cx: &Ctx<'_>, user_id: i64) -> AppResult<Vec<AllowedApplication>> {
    consents::list_for_user(&cx.state.db, user_id).await
}

/// "Revoke": forgets the "Allow" and revokes every token the application holds for the user.
pub async fn revoke(cx: &Ctx<'_>, user_id: i64, client_id: &str) -> AppResult<()> {
    let client = clients::find(&cx.state.db, client_id).await?.ok_or(Refused::UnknownApplication)?;
    let mut work = cx.work().await?;
    let had_consent = consents::remove(work.tx(), user_id, client.id).await?;
    super::backchannel::notify(&mut work, user_id, super::backchannel::Ended::Application(client.id)).await?;
    let grants = grants::revoke_all(work.tx(), user_id, client.id).await?;
    if !had_consent && grants == 0 {
        work.abandon().await?;
        return Err(Refused::ApplicationNotAllowed.into());
    }
    work.security(user_id, SecurityEvent::ApplicationRevoked).await?;
    work.commit().await?;
    Ok(())
}

/// The parameters of an end-session request (OIDC RP-Initiated Logout 1.0).
#[derive(Debug, Clone, Default)]
pub struct LogoutRequest {
    pub id_token_hint: Option<String>,
    pub client_id: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
}

impl LogoutRequest {
    /// From the end-session page's form, where an absent parameter is empty.
    pub fn from_form(
        id_token_hint: String,
        client_id: String,
        post_logout_redirect_uri: String,
        state: String,
    ) -> Self {
        let some = |s: String| Some(s).filter(|s| !s.is_empty());
        Self {
            id_token_hint: some(id_token_hint),
            client_id: some(client_id),
            post_logout_redirect_uri: some(post_logout_redirect_uri),
            state: some(state),
        }
    }
}

/// The application asking, and where to send the browser afterwards (checked
/// against the application's registered post-logout redirect URIs).
async fn checked(cx: &Ctx<'_>, request: &LogoutRequest) -> AppResult<(Option<clients::Client>, Option<String>)> {
    let db = &cx.state.db;
    let hinted = match request.id_token_hint.as_deref().filter(|h| !h.is_empty()) {
        Some(hint) => {
            let published = keys::published(db, &cx.state.keys, cx.now).await?;
            let claims = jws::verify(hint, &published).map_err(|_| Refused::Logout(LogoutRefused::HintNotOurs))?;
            if claims["iss"].as_str() != Some(cx.issuer()?) {
                return Err(Refused::Logout(LogoutRefused::HintFromElsewhere).into());
            }
            claims["aud"].as_str().map(str::to_string)
        }
        None => None,
    };
    let client_id = match (hinted, request.client_id.as_deref().filter(|c| !c.is_empty())) {
        (Some(a), Some(b)) if a != b => return Err(Refused::Logout(LogoutRefused::ClientIdMismatch).into()),
        (Some(a), _) => Some(a),
        (None, b) => b.map(str::to_string),
    };
    let client = match client_id {
        Some(id) => Some(clients::find(db, &id).await?.ok_or(Refused::Logout(LogoutRefused::UnknownClientId))?),
        None => None,
    };
    let back = match (request.post_logout_redirect_uri.as_deref().filter(|u| !u.is_empty()), &client) {
        (None, _) => None,
        (Some(_), None) => return Err(Refused::Logout(LogoutRefused::RedirectNeedsClient).into()),
        (Some(uri), Some(c)) if redirect::is_registered(&c.post_logout_redirect_uris, uri) => {
            let mut params = vec![("client_id", c.client_id.as_str()), ("post_logout_redirect_uri", uri)];
            if let Some(state) = request.state.as_deref() {
                params.push(("state", state));
            }
            Some(with_params(LOGOUT_RETURN_PATH, &params))
        }
        (Some(_), Some(_)) => return Err(Refused::Logout(LogoutRefused::RedirectNotRegistered).into()),
    };
    Ok((client, back))
}

pub async fn logout_prompt(cx: &Ctx<'_>, signed_in: bool, request: &LogoutRequest) -> AppResult<LogoutPrompt> {
    cx.issuer()?;
    let (client, back) = checked(cx, request).await?;
    Ok(LogoutPrompt { app: client.map(|c| c.name), signed_in, back })
}

/// Where to go after logging out: the checked hand-over path, or `None`.
pub async fn after_logout(cx: &Ctx<'_>, request: &LogoutRequest) -> AppResult<Option<String>> {
    cx.issuer()?;
    Ok(checked(cx, request).await?.1)
}

/// `GET /oidc/logout/return`: the application's post-logout URI, once more checked.
pub async fn logout_return(cx: &Ctx<'_>, client_id: &str, uri: &str, state: Option<&str>) -> AppResult<Option<String>> {
    cx.issuer()?;
    let Some(client) = clients::find(&cx.state.db, client_id).await? else { return Ok(None) };
    if !redirect::is_registered(&client.post_logout_redirect_uris, uri) {
        return Ok(None);
    }
    Ok(Some(match state {
        Some(state) => with_params(uri, &[("state", state)]),
        None => uri.to_string(),
    }))
}

// The authorization hand-over path lives with its use cases.
pub use authorize::RETURN_PATH;
