//! The axum router: Leptos pages and server functions, health checks, static files.

use app::server::AppState;
use app::{shell, App};
use axum::extract::State;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};

use crate::export;
use crate::middleware::{self, CspNonce, Web};
use crate::site::Site;

/// The router's state: one reference count to clone per request, whatever
/// the route (`/healthz` included), rather than every part of the options.
#[derive(Clone)]
struct RouterState(std::sync::Arc<Shared>);

struct Shared {
    leptos_options: LeptosOptions,
    app: AppState,
}

impl axum::extract::FromRef<RouterState> for LeptosOptions {
    fn from_ref(state: &RouterState) -> Self {
        state.0.leptos_options.clone()
    }
}

impl axum::extract::FromRef<RouterState> for AppState {
    fn from_ref(state: &RouterState) -> Self {
        state.0.app.clone()
    }
}

pub fn build(leptos_options: LeptosOptions, site: Site, state: AppState) -> Router {
    let routes = generate_route_list(App);
    let web = Web { https: state.settings.secure_cookies };
    let provide_state = {
        let state = state.clone();
        move || {
            app::server::provide_request_context(&state);
            provide_csp_nonce();
        }
    };
    let trusted = state.settings.trusted_proxies.clone();
    let router_state =
        RouterState(std::sync::Arc::new(Shared { leptos_options: leptos_options.clone(), app: state.clone() }));
    let router = Router::<RouterState>::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/orgs/{slug}/members.csv", get(export::members_csv))
        .merge(crate::oidc::routes(state.clone()))
        .merge(crate::upstream::routes())
        .nest_service("/pkg", site.pkg(leptos_options.hash_files))
        .merge(crate::rest::routes(state))
        .leptos_routes_with_context(&router_state, routes, provide_state.clone(), {
            let options = leptos_options;
            move || shell(options.clone())
        })
        // A public file (/favicon.svg), else the 404 page, which is the app too: it needs the same request context.
        .fallback(public_file_or_not_found(site, provide_state))
        .layer(axum::middleware::from_fn_with_state(web, crate::flash::flash))
        .layer(axum::middleware::from_fn(middleware::server_fn_error_status))
        .layer(axum::middleware::from_fn(middleware::form_bodies_only))
        .layer(axum::middleware::from_fn_with_state(web, middleware::reject_cross_site))
        .layer(axum::middleware::from_fn_with_state(web, middleware::security_headers));
    crate::access_log::layer(router, &trusted).with_state(router_state)
}

/// The fallback: a public file of the site, else the app's 404 page.
fn public_file_or_not_found(
    site: Site,
    context: impl Fn() + Clone + Send + Sync + 'static,
) -> impl Fn(State<RouterState>, axum::extract::Request) -> BoxFuture<Response> + Clone + Send + Sync + 'static {
    let site = std::sync::Arc::new(site);
    move |State(state): State<RouterState>, req: axum::extract::Request| {
        let site = site.clone();
        let context = context.clone();
        Box::pin(async move {
            let (parts, body) = req.into_parts();
            if let Some(file) = site.public_file(&parts).await {
                return file;
            }
            let req = axum::extract::Request::from_parts(parts, body);
            let options = state.0.leptos_options.clone();
            let render = leptos_axum::render_app_to_stream_with_context(context, move || shell(options.clone()));
            let mut res = render(req).await;
            *res.status_mut() = http::StatusCode::NOT_FOUND;
            res
        })
    }
}

type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;
type Response = axum::response::Response;

/// Replaces the nonce leptos_axum made with the one in this response's CSP header.
fn provide_csp_nonce() {
    let nonce = use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

async fn readyz(State(state): State<AppState>) -> (http::StatusCode, &'static str) {
    match sqlx::query("SELECT 1").execute(&state.db).await {
        Ok(_) => (http::StatusCode::OK, "ready"),
        Err(_) => (http::StatusCode::SERVICE_UNAVAILABLE, "database unreachable"),
    }
}
