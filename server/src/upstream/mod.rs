//! Signing in through another identity provider: `GET /login/upstream/{id}`
//! starts (a 303 to the provider, the request sealed into a cookie of this
//! browser), `GET /login/upstream/continue` hands a plain form's connect
//! request over to the provider, and `GET /login/upstream/callback` takes
//! the answer. They only adapt HTTP to `app::server::flows::upstream`.

pub mod cli;

use app::server::flows::upstream::{self as flow, request_cookie, Answer, Finished, Redirect, COOKIE};
use app::server::flows::Ctx;
use app::server::refusals::{Refused, UpstreamRefused};
use app::server::store::browsers::{BROWSER_COOKIE, BROWSER_COOKIE_SECS};
use app::server::store::events::RequestMeta;
use app::server::store::pending_logins;
use app::server::store::sessions::{self, build_cookie, token_from_headers, token_hash};
use app::server::AppState;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::request::Parts;
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde::Deserialize;

use crate::oidc::{hand_over, refusal_page, session_token};

pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    AppState: axum::extract::FromRef<S>,
{
    Router::new()
        .route("/login/upstream/continue", get(hand_over_connect))
        .route(app::server::upstream::CALLBACK_PATH, get(callback))
        .route("/login/upstream/{id}", get(start))
}

/// The request's meta, with the browser's own cookie (made now if it has none) as at every sign-in step.
fn visit(
    state: &AppState,
    peer: Option<&ConnectInfo<std::net::SocketAddr>>,
    headers: &HeaderMap,
) -> (RequestMeta, Option<String>) {
    let meta = crate::middleware::request_meta(state, peer, headers);
    let (token, fresh) = match token_from_headers(headers, BROWSER_COOKIE).filter(|t| t.len() <= 64) {
        Some(token) => (token, None),
        None => {
            let token = sessions::new_token();
            let cookie = build_cookie(BROWSER_COOKIE, Some(&token), BROWSER_COOKIE_SECS, &state.settings);
            (token, Some(cookie))
        }
    };
    (RequestMeta { browser: Some(token_hash(&token)), ..meta }, fresh)
}

fn with_cookie(mut res: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        res.headers_mut().append(header::SET_COOKIE, value);
    }
    res
}

fn refused(e: &app::error::AppError) -> Response {
    refusal_page(e, "signing in through an identity provider")
}

#[derive(Deserialize)]
struct StartQuery {
    #[serde(rename = "continue")]
    next: Option<String>,
}

async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<StartQuery>,
    parts: Parts,
) -> Response {
    let peer = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>();
    let meta = crate::middleware::request_meta(&state, peer, &parts.headers);
    let cx = Ctx::new(&state, &meta);
    let Ok(id) = id.parse::<i64>() else {
        return refused(&Refused::Upstream(UpstreamRefused::UnknownProvider).into());
    };
    let next = query.next.as_deref().and_then(app::oidc::redirect::local_path).map(str::to_string);
    match flow::start_sign_in(&cx, id, next).await {
        Ok(Redirect { url, cookie }) => {
            let res = (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response();
            with_cookie(res, &request_cookie(Some(&cookie), &state.settings))
        }
        Err(e) => refused(&e),
    }
}

/// After the Account page's plain "Connect" form: our page sends the browser
/// on (a form's redirect chain may not leave the site under our CSP).
async fn hand_over_connect(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let meta = RequestMeta::default();
    let cx = Ctx::new(&state, &meta);
    match flow::authorize_url(&cx, token_from_headers(&headers, COOKIE).as_deref()) {
        Some(url) => hand_over(&headers, &url),
        None => refused(&Refused::Upstream(UpstreamRefused::StateMismatch).into()),
    }
}

async fn callback(State(state): State<AppState>, Query(answer): Query<Answer>, parts: Parts) -> Response {
    let headers = &parts.headers;
    let peer = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>();
    let (meta, browser_cookie) = visit(&state, peer, headers);
    let cx = Ctx::new(&state, &meta);
    let sealed = token_from_headers(headers, COOKIE);
    let previous = session_token(headers);
    let result = flow::finish(&cx, sealed.as_deref(), previous.as_deref(), answer).await;
    let mut res = match result {
        Ok(Finished::SignedIn { session, next, .. }) => {
            let to = next.unwrap_or_else(|| "/".to_string());
            let res = (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
            with_cookie(res, &sessions::cookie(Some(&session.token), &state.settings))
        }
        Ok(Finished::SecondFactor { pending_token, next }) => {
            let to = match next {
                Some(next) => format!("/login/two-factor?continue={}", app::applications::encode_component(&next)),
                None => "/login/two-factor".to_string(),
            };
            let res = (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response();
            with_cookie(res, &pending_logins::cookie(Some(&pending_token), &state.settings))
        }
        Ok(Finished::Connected { provider }) => {
            let res = (StatusCode::SEE_OTHER, [(header::LOCATION, "/account")]).into_response();
            // The notice travels in the flash, never in a URL anyone could write.
            match crate::flash::carry(&[("connected", &provider)], state.settings.secure_cookies) {
                Some(cookie) => with_cookie(res, &cookie),
                None => res,
            }
        }
        Err(e) => refused(&e),
    };
    // Used or refused, the request is over.
    res = with_cookie(res, &request_cookie(None, &state.settings));
    match browser_cookie {
        Some(cookie) => with_cookie(res, &cookie),
        None => res,
    }
}
