//! What Portcullis keeps as an OpenID Connect provider: registered clients,
//! sealed authorization requests, codes, grants and their tokens, consents,
//! and signing keys.

pub mod clients;
pub mod codes;
pub mod consents;
pub mod grants;
pub mod keys;
pub mod requests;
pub mod service_tokens;

/// Lines of a text field or column: trimmed, without empty ones.
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}
