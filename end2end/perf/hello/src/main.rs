//! Serves the bare hello: server-rendered page, server function, and the site's files with their
//! precompressed variants (as Portcullis serves /pkg). Configured by cargo-leptos's LEPTOS_* variables.
use axum::Router;
use bare_hello::{shell, App};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::services::ServeDir;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = get_configuration(None)?.leptos_options;
    let addr = options.site_addr;
    let routes = generate_route_list(App);
    let files = ServeDir::new(options.site_root.as_ref()).precompressed_br().precompressed_gzip();
    let app = Router::new()
        .leptos_routes(&options, routes, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback_service(files)
        .with_state(options);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app.into_make_service()).await?;
    Ok(())
}
