//! Portcullis as an OpenID Connect provider: the rules, without I/O. What
//! an authorization request may ask, PKCE, redirect URIs, scopes, the ID
//! token's claims, ES256 signing and the formats of codes and tokens.
//! Persistence and use cases live in `crate::server::store::oidc` and `crate::server::flows::oidc`, the HTTP
//! endpoints in the server crate.

pub mod acr;
pub mod authorize;
pub mod claims;
pub mod decision;
pub mod discovery;
pub mod error;
pub mod jws;
pub mod pkce;
pub mod redirect;
pub mod scope;
pub mod tokens;

pub use error::{ErrorCode, OAuthError};
