//! `GET /oidc/authorize`, its continuation after login or consent, and the
//! stateless hand-overs that answer `access_denied` or a post-logout URI.

use app::oidc::authorize::Params;
use app::oidc::redirect::with_params;
use app::server::flows::oidc::account;
use app::server::flows::oidc::authorize::{self, Cookies, Outcome};
use app::server::store::oidc::requests;
use app::server::store::sessions::token_from_headers;
use axum::extract::RawQuery;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, StatusCode};

use super::{feature_off, hand_over, page, refusal_page, session_token, Browser};

/// The Leptos page that shows consent, "not a member" and "set up 2FA".
pub const PROMPT_PAGE: &str = "/oidc/authorize/prompt";

fn params(query: Option<String>) -> Params {
    Params(url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect())
}

fn respond(headers: &HeaderMap, result: app::error::AppResult<Outcome>) -> Response {
    match result {
        Ok(Outcome::Page(message)) => page(StatusCode::BAD_REQUEST, "Cannot sign you in", &message),
        Ok(Outcome::Return(url)) => hand_over(headers, &url),
        Ok(Outcome::Login { continue_path }) => see_other(&with_params("/login", &[("continue", &continue_path)])),
        Ok(Outcome::Prompt { handle, .. }) => see_other(&with_params(PROMPT_PAGE, &[("request", &handle)])),
        Err(e) if e.status() == 404 => feature_off(true),
        Err(e) => refusal_page(&e, "authorization"),
    }
}

fn see_other(path: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, path.to_string())]).into_response()
}

fn cookies(headers: &HeaderMap) -> Cookies {
    Cookies { session: session_token(headers), binding: token_from_headers(headers, requests::BINDING_COOKIE) }
}

pub async fn authorize(endpoint: Browser, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let mut cookies = cookies(&headers);
    // The browser's binding, made at its first authorization: requests are sealed to it.
    let fresh = cookies.binding.is_none().then(requests::new_binding);
    cookies.binding = cookies.binding.or_else(|| fresh.clone());
    let cx = endpoint.cx();
    let mut res = respond(&headers, authorize::start(&cx, &params(query), &cookies).await);
    if let Some(binding) = fresh {
        if let Ok(value) = HeaderValue::from_str(&requests::binding_cookie(&binding, &cx.state.settings)) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    res
}

/// After login, consent or enrollment: the stored request goes on.
pub async fn resume(endpoint: Browser, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let params = params(query);
    let Ok(Some(handle)) = params.single("request") else {
        return page(
            StatusCode::BAD_REQUEST,
            "Cannot sign you in",
            "The link is incomplete: go back to the application and sign in again.",
        );
    };
    respond(&headers, authorize::proceed(&endpoint.cx(), handle, &cookies(&headers), true).await)
}

fn single<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.single(name).ok().flatten()
}

/// "Deny", or "Back to the application" for a non-member: `access_denied` to a registered redirect URI.
pub async fn denied(endpoint: Browser, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let params = params(query);
    let (Some(client_id), Some(uri)) = (single(&params, "client_id"), single(&params, "redirect_uri")) else {
        return page(StatusCode::BAD_REQUEST, "Cannot continue", "The link is incomplete.");
    };
    match authorize::denied(&endpoint.cx(), client_id, uri, single(&params, "state")).await {
        Ok(Some(url)) => hand_over(&headers, &url),
        Ok(None) => {
            page(StatusCode::BAD_REQUEST, "Cannot continue", "This address is not registered for the application.")
        }
        Err(e) => crate::middleware::error_response(&e),
    }
}

/// After "Log out" at an application's request: its registered post-logout URI.
pub async fn logout_return(endpoint: Browser, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    let params = params(query);
    let (Some(client_id), Some(uri)) = (single(&params, "client_id"), single(&params, "post_logout_redirect_uri"))
    else {
        return page(StatusCode::BAD_REQUEST, "Cannot continue", "The link is incomplete.");
    };
    match account::logout_return(&endpoint.cx(), client_id, uri, single(&params, "state")).await {
        Ok(Some(url)) => hand_over(&headers, &url),
        Ok(None) => {
            page(StatusCode::BAD_REQUEST, "Cannot continue", "This address is not registered for the application.")
        }
        Err(e) => crate::middleware::error_response(&e),
    }
}
