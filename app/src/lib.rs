//! Portcullis: the Leptos application shared by the server (SSR, `ssr`
//! feature) and the browser (hydration, `hydrate` feature).

// Deeply nested view types need more than the default in release builds.
#![recursion_limit = "256"]

pub mod api_access;
pub mod applications;
pub mod error;
pub mod factors;
pub mod model;
#[cfg(feature = "ssr")]
pub mod oidc;
pub mod policy;
pub mod security_keys;
pub mod server_fns;
pub mod ui;
pub mod upstream;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod twofactor;

#[cfg(feature = "ssr")]
pub use ui::shell;
pub use ui::App;
