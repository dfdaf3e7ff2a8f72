//! Portcullis as an OpenID Connect provider, server side: repositories
//! (clients, requests, codes, grants and tokens, consents, signing keys) and
//! the use cases the endpoints and pages call. Each use case opens one
//! transaction, re-checks what it decided on with a conditional write, and
//! writes its audit or security-log row in that transaction.

pub mod account;
pub mod authorize;
pub mod clients;
pub mod codes;
pub mod consents;
pub mod grants;
pub mod keys;
pub mod manage;
pub mod requests;
pub mod token;

use crate::error::{AppError, AppResult};

/// The use cases take the same context as every other (`flows::Ctx`).
pub use super::flows::Ctx;

/// The issuer (`--public-url`) of a use case's context; without it the feature is off.
pub trait Issuer {
    fn issuer(&self) -> AppResult<&str>;
}

impl Issuer for Ctx<'_> {
    fn issuer(&self) -> AppResult<&str> {
        self.state.settings.public_url.as_deref().ok_or_else(feature_off)
    }
}

pub const FEATURE_OFF: &str = "Signing in to applications with Portcullis (OpenID Connect) is not enabled on this \
                               server: its operator must set PORTCULLIS_PUBLIC_URL.";

pub fn feature_off() -> AppError {
    AppError::not_found(FEATURE_OFF)
}

/// Lines of a text field or column: trimmed, without empty ones.
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}
