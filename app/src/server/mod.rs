//! Server-only code: state, persistence, password hashing and sessions.
//! Nothing here is compiled into the browser bundle.

pub mod clock;
pub mod db;
pub mod orgs;
pub mod password;
pub mod request;
pub mod sessions;
pub mod users;

use std::sync::Arc;

pub use clock::Clock;
pub use db::Db;
pub use password::PasswordHasher;

/// Settings the request handlers need; built by the binary from its configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub secure_cookies: bool,
    /// A session unused for this long is over.
    pub session_idle_secs: i64,
    /// A session is over this long after login, used or not.
    pub session_absolute_secs: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self { secure_cookies: false, session_idle_secs: 12 * 3600, session_absolute_secs: 14 * 24 * 3600 }
    }
}

/// Everything a request handler needs, cheap to clone, provided as Leptos context.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub hasher: PasswordHasher,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    /// 256-bit server secret; later used to encrypt TOTP secrets at rest.
    pub secret_key: Arc<[u8; 32]>,
}

/// Called for every request (pages and server functions) to provide what they need.
pub fn provide_request_context(state: &AppState) {
    leptos::prelude::provide_context(state.clone());
    // Lets <Redirect/> answer a server-rendered page with a real 302.
    leptos_router::components::provide_server_redirect(leptos_axum::redirect);
}
