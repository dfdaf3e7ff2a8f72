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

#[derive(Clone, axum::extract::FromRef)]
struct RouterState {
    leptos_options: LeptosOptions,
    app: AppState,
}

pub fn build(leptos_options: LeptosOptions, state: AppState) -> Router {
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
    let router_state = RouterState { leptos_options: leptos_options.clone(), app: state };
    let router = Router::<RouterState>::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/orgs/{slug}/members.csv", get(export::members_csv))
        .merge(crate::oidc::routes(router_state.app.clone()))
        .merge(crate::upstream::routes())
        .nest_service("/pkg", crate::assets::pkg(&leptos_options))
        .merge(crate::rest::routes(router_state.app.clone()))
        .leptos_routes_with_context(&router_state, routes, provide_state.clone(), {
            let options = leptos_options;
            move || shell(options.clone())
        })
        // The 404 page is the app too: it needs the same request context.
        .fallback(leptos_axum::file_and_error_handler_with_context::<RouterState, _>(provide_state, shell))
        .layer(axum::middleware::from_fn_with_state(web, crate::flash::flash))
        .layer(axum::middleware::from_fn(middleware::server_fn_error_status))
        .layer(axum::middleware::from_fn(middleware::form_bodies_only))
        .layer(axum::middleware::from_fn_with_state(web, middleware::reject_cross_site))
        .layer(axum::middleware::from_fn_with_state(web, middleware::security_headers));
    crate::access_log::layer(router, &trusted).with_state(router_state)
}

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
