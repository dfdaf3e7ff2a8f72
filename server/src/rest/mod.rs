//! The REST API under `/api/v1`: JSON in and out, no cookies, one error
//! shape (`{"code", "message"}`), cursor pagination. Every route is an
//! adapter over the use cases in `app::server::flows`, and every
//! organization route passes the same gate as pages and server functions
//! (`auth::org`). Routes are registered only through `OpenApiRouter`, so
//! each one is in the OpenAPI document (`/api/v1/openapi.json`) that the
//! tests walk to check the gate on every organization route.

mod auth;
mod dto;
mod input;
mod me;
mod members;
mod orgs;

use app::error::AppError;
use app::server::AppState;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use http::{header, HeaderValue, StatusCode};
use utoipa::openapi::security::{Http, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub const PREFIX: &str = "/api/v1";

/// The largest request body the API reads.
pub const BODY_LIMIT: usize = 16 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portcullis API",
        version = "1",
        description = "The REST API of Portcullis. Authenticate with `Authorization: Bearer <personal access token>` \
                       (scopes read, write, admin:org), or HTTP Basic with your email and an application password \
                       (or your account password while your account has no two-factor authentication). Errors are \
                       `{\"code\", \"message\"}`. Lists are paged by cursor: pass `next_cursor` back as `cursor`. \
                       Request bodies are JSON of at most 16 KiB."
    ),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("basic" = [])),
    tags((name = "account"), (name = "organizations"), (name = "members"))
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("pcl_pat_<32 base62><6 base62 CRC-32>")
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        components.add_security_scheme("basic", SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)));
    }
}

/// The API's routes and its OpenAPI document, from the same registrations.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .routes(routes!(me::me))
        .routes(routes!(me::security_log))
        .routes(routes!(orgs::list))
        .routes(routes!(orgs::show))
        .routes(routes!(orgs::audit_log))
        .routes(routes!(orgs::requirement, orgs::set_requirement))
        .routes(routes!(orgs::set_api_access))
        .routes(routes!(members::list, members::invite))
        .routes(routes!(members::change_role, members::remove))
        .routes(routes!(members::reset_two_factor))
        .split_for_parts()
}

/// The document as served: the paths carry the `/api/v1` prefix.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = api();
    doc.servers = Some(vec![utoipa::openapi::Server::new(PREFIX)]);
    doc
}

pub fn routes<S: Clone + Send + Sync + 'static>(state: AppState) -> Router<S> {
    let (router, _) = api();
    let document = openapi().to_json().unwrap_or_default();
    let router = router
        .route(
            "/openapi.json",
            axum::routing::get(move || async move { ([(header::CONTENT_TYPE, "application/json")], document) }),
        )
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(challenge))
        .with_state(state);
    Router::new().nest(PREFIX, router)
}

async fn not_found() -> Response {
    error(AppError::not_found("No such API route. The routes are listed in /api/v1/openapi.json."))
}

/// A 401 names the schemes the API takes; a refusal made by the framework
/// itself (a path that does not decode, a method the route does not take)
/// gets the one error shape too.
async fn challenge(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let status = res.status();
    let is_json =
        res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if (status.is_client_error() || status.is_server_error()) && !is_json {
        let (parts, body) = res.into_parts();
        let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
        let text = String::from_utf8_lossy(&text);
        let code = match status {
            StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
            StatusCode::NOT_FOUND => "not_found",
            StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            s if s.is_server_error() => "internal",
            _ => "bad_request",
        };
        let message = if text.trim().is_empty() {
            status.canonical_reason().unwrap_or("Refused").to_string()
        } else {
            text.trim().to_string()
        };
        let body = serde_json::json!({ "code": code, "message": message }).to_string();
        let mut rebuilt = Response::from_parts(parts, axum::body::Body::from(body));
        rebuilt.headers_mut().remove(header::CONTENT_LENGTH);
        rebuilt.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        res = rebuilt;
    }
    if res.status() == StatusCode::UNAUTHORIZED {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(
                "Bearer realm=\"Portcullis API\", Basic realm=\"Portcullis API\", charset=\"UTF-8\"",
            ),
        );
    }
    res
}

/// Every refusal, as the one error shape.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl From<app::policy::Refusal> for ApiError {
    fn from(e: app::policy::Refusal) -> Self {
        Self(e.into())
    }
}

impl From<app::server::refusals::Refused> for ApiError {
    fn from(e: app::server::refusals::Refused) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error(self.0)
    }
}

fn error(e: AppError) -> Response {
    crate::middleware::error_response(&e)
}

pub type ApiResult<T> = Result<T, ApiError>;
