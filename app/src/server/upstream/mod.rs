//! Talking to other identity providers (OpenID Connect issuers) with the
//! `openidconnect` crate: discovery (cached per provider, an unreachable
//! issuer remembered briefly so the login page can say so), the
//! authorization request (code flow, PKCE S256, state, nonce), and the code
//! exchange with the ID token's validation (signature against the issuer's
//! JWKS, fetched again once when a key is unknown: rotation; issuer,
//! audience, nonce, expiry with a minute of clock skew).

mod discovery;
pub mod request;

pub use discovery::{Availability, Upstreams};
pub use request::{Identity, Pending};

/// Where providers send the browser back (registered at each provider).
pub const CALLBACK_PATH: &str = "/login/upstream/callback";

/// The redirect URI to register at a provider, once the public URL is set.
pub fn redirect_uri(public_url: Option<&str>) -> Option<String> {
    public_url.map(|url| format!("{url}{CALLBACK_PATH}"))
}
