//! The bare axum 0.8 baseline of `scripts/bench-pages.sh`: `GET /healthz`
//! answers "ok" with no middleware, on the address given as the first argument.

use axum::routing::get;
use axum::Router;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:3999".to_string());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, Router::new().route("/healthz", get(|| async { "ok" }))).await?;
    Ok(())
}
