//! `POST /oidc/token`, `GET|POST /oidc/userinfo`, `POST /oidc/revoke`, `POST /oidc/introspect`:
//! called by applications' servers, never with cookies. Errors are RFC 6749
//! JSON with the status the specifications name.

use app::oidc::authorize::Params;
use app::oidc::error::{ErrorCode, OAuthError};
use app::server::flows::oidc::introspect;
use app::server::flows::oidc::token::{self, Form, Presented};
use app::server::flows::oidc::Ctx;
use app::server::store::oidc::clients::Client;
use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use http::{header, HeaderMap, HeaderValue, StatusCode};

use super::{json_response, Program};

/// A form body whose parameters each appear at most once.
struct Body(Params);

impl Body {
    fn parse(headers: &HeaderMap, bytes: &[u8]) -> Result<Self, OAuthError> {
        let form = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
        if !form && !bytes.is_empty() {
            return Err(OAuthError::invalid_request("Send the parameters as application/x-www-form-urlencoded."));
        }
        let params = Params(url::form_urlencoded::parse(bytes).into_owned().collect());
        for (name, _) in &params.0 {
            params.single(name)?;
        }
        Ok(Self(params))
    }
}

impl Form for Body {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.single(name).ok().flatten()
    }
}

/// RFC 6749 §2.3.1: HTTP Basic, each part form-urlencoded.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) else { return Ok(None) };
    let Some(encoded) = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic ")) else {
        return Err(OAuthError::invalid_client("Use HTTP Basic authentication or client_secret_post."));
    };
    let malformed = || OAuthError::invalid_client("The Basic credentials are malformed.");
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let unescape = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes()).map(|(_, v)| v.into_owned()).next().unwrap_or_default()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

fn error(err: &OAuthError, basic: bool) -> Response {
    if err.code == ErrorCode::ServerError {
        tracing::error!(error = %err, "token endpoint failed");
    }
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut res = json_response(status, &err.to_json());
    if let Some(secs) = err.retry_after_secs {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    if err.code == ErrorCode::InvalidClient && basic {
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"portcullis\""));
    }
    res.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

/// The client that calls, authenticated by `client_secret_basic`,
/// `client_secret_post` or (public clients) its id alone, and the form it sent.
async fn authenticated(cx: &Ctx<'_>, headers: &HeaderMap, body: &Bytes) -> Result<(Client, Body), Response> {
    let basic = basic_credentials(headers).map_err(|e| error(&e, true))?;
    let used_basic = basic.is_some();
    let body = Body::parse(headers, body).map_err(|e| error(&e, used_basic))?;
    let presented = Presented {
        basic,
        client_id: body.get("client_id").map(str::to_string),
        client_secret: body.get("client_secret").map(str::to_string),
    };
    let client = token::authenticate(cx, &presented).await.map_err(|e| error(&e, used_basic))?;
    Ok((client, body))
}

pub async fn token(endpoint: Program, headers: HeaderMap, body: Bytes) -> Response {
    let cx = endpoint.cx();
    let (client, body) = match authenticated(&cx, &headers, &body).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    match token::exchange(&cx, &client, &body).await {
        Ok(tokens) => {
            let mut res = json_response(StatusCode::OK, &tokens);
            res.headers_mut().insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            res
        }
        Err(e) => error(&e, false),
    }
}

pub async fn userinfo(endpoint: Program, headers: HeaderMap) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    let Some(bearer) = bearer else {
        let mut res = StatusCode::UNAUTHORIZED.into_response();
        res.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"portcullis\""));
        return res;
    };
    match token::userinfo(&endpoint.cx(), bearer).await {
        Ok(claims) => json_response(StatusCode::OK, &claims),
        Err(e) => {
            let mut res = error(&e, false);
            if e.code == ErrorCode::InvalidToken {
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"portcullis\", error=\"invalid_token\""),
                );
            }
            res
        }
    }
}

/// The authenticated client and its form, which names a `token` (revocation, introspection).
async fn about_a_token(cx: &Ctx<'_>, headers: &HeaderMap, body: &Bytes) -> Result<(Client, Body), Response> {
    let (client, body) = authenticated(cx, headers, body).await?;
    if body.get("token").is_none() {
        return Err(error(&OAuthError::invalid_request("The token parameter is missing."), false));
    }
    Ok((client, body))
}

pub async fn revoke(endpoint: Program, headers: HeaderMap, body: Bytes) -> Response {
    let cx = endpoint.cx();
    let (client, body) = match about_a_token(&cx, &headers, &body).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    match token::revoke(&cx, &client, body.get("token").unwrap_or_default()).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => error(&e, false),
    }
}

/// RFC 7662: `{"active": ...}` for a token, to its client or its organization's resource server.
pub async fn introspect(endpoint: Program, headers: HeaderMap, body: Bytes) -> Response {
    let cx = endpoint.cx();
    let (client, body) = match about_a_token(&cx, &headers, &body).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let token = body.get("token").unwrap_or_default();
    match introspect::introspect(&cx, &client, token, body.get("token_type_hint")).await {
        Ok(answer) => json_response(StatusCode::OK, &answer),
        Err(e) => error(&e, client.public()),
    }
}
