//! Portcullis as an OpenID Connect provider: the use cases the endpoints
//! and pages call (authorization, tokens, the person's own applications and
//! logout), over the repositories of `store::oidc`. Each opens one
//! transaction, re-checks what it decided on with a conditional write, and
//! writes its audit or security-log row in that transaction.

pub mod account;
pub mod admission;
pub mod authorize;
pub mod backchannel;
pub mod introspect;
pub mod service;
pub mod token;

use crate::error::{AppError, AppResult};

/// The use cases take the same context as every other (`flows::Ctx`).
pub use super::Ctx;

/// The form of a token request, by name (each at most once).
pub trait Form {
    fn get(&self, name: &str) -> Option<&str>;
}

/// The issuer (`--public-url`) of a use case's context; without it the feature is off.
pub trait Issuer {
    fn issuer(&self) -> AppResult<&str>;
}

impl Issuer for Ctx<'_> {
    fn issuer(&self) -> AppResult<&str> {
        self.state.settings.public_url.as_deref().ok_or_else(feature_off)
    }
}

pub use crate::server::words::OPENID_CONNECT_OFF as FEATURE_OFF;

pub fn feature_off() -> AppError {
    crate::server::refusals::Refused::OpenIdConnectOff.into()
}
