//! Security keys and passkeys. The browser's side of the ceremonies is the
//! plain JavaScript module `public/webauthn.js`: it posts form-encoded
//! arguments (the authenticator's answer as one JSON string field) and reads
//! JSON back, so these server functions pass the same CSRF, form-body and
//! error-status middleware as every other. Rename and remove are plain forms.

mod confirm_with_key;
mod finish_key_login;
mod finish_key_registration;
mod finish_passkey_login;
mod load_security_keys;
mod login_methods;
mod remove_security_key;
mod rename_security_key;
mod set_allowed_factors;
mod start_key_login;
mod start_key_registration;
mod start_passkey_login;

pub use confirm_with_key::*;
pub use finish_key_login::*;
pub use finish_key_registration::*;
pub use finish_passkey_login::*;
pub use load_security_keys::*;
pub use login_methods::*;
pub use remove_security_key::*;
pub use rename_security_key::*;
pub use set_allowed_factors::*;
pub use start_key_login::*;
pub use start_key_registration::*;
pub use start_passkey_login::*;

/// Where the browser goes after a login with a key: a path on this site.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LoginRedirect {
    pub next: String,
}

#[cfg(feature = "ssr")]
fn continue_to(next: &str) -> LoginRedirect {
    LoginRedirect { next: crate::oidc::redirect::local_path(next).unwrap_or("/").to_string() }
}
