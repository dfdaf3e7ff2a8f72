//! Codes, tokens and client credentials: random strings with a prefix that
//! says what they are (so a leaked one is recognised, and a refresh token is
//! never taken for an access token), stored only as their SHA-256. They carry
//! 256 bits of entropy, so a plain hash suffices: there is nothing to brute-force.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// An authorization code lives this long (OAuth 2.0 Security BCP: short).
pub const CODE_SECS: i64 = 60;
pub const ACCESS_TOKEN_SECS: i64 = 600;
pub const ID_TOKEN_SECS: i64 = 600;
/// A refresh token unused this long expires; each use issues a new one.
pub const REFRESH_TOKEN_SECS: i64 = 30 * 86_400;
/// The shortest refresh token life a client may choose: an hour (its access tokens live ten minutes).
pub const MIN_REFRESH_TOKEN_SECS: i64 = 3600;

/// A refresh token life outside an hour to the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LifetimeOutOfRange;

/// A client's choice of refresh token life, as registered: `None` is the
/// default (also when the default is chosen by name).
pub fn refresh_lifetime_choice(secs: Option<i64>) -> Result<Option<i64>, LifetimeOutOfRange> {
    match secs {
        None | Some(0) | Some(REFRESH_TOKEN_SECS) => Ok(None),
        Some(s) if (MIN_REFRESH_TOKEN_SECS..REFRESH_TOKEN_SECS).contains(&s) => Ok(Some(s)),
        Some(_) => Err(LifetimeOutOfRange),
    }
}

/// How long a refresh token of a client with this choice lives.
pub fn refresh_lifetime(choice: Option<i64>) -> i64 {
    choice.unwrap_or(REFRESH_TOKEN_SECS)
}

/// An authorization request waits this long for its user to log in and consent.
pub const REQUEST_SECS: i64 = 15 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    AuthorizationCode,
    AccessToken,
    RefreshToken,
    ClientSecret,
    /// The handle of a stored authorization request, in our own URLs.
    Request,
}

impl Kind {
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::AuthorizationCode => "pcc_",
            Kind::AccessToken => "pca_",
            Kind::RefreshToken => "pcr_",
            Kind::ClientSecret => "pcs_",
            Kind::Request => "pcq_",
        }
    }
}

pub fn new(kind: Kind) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{}{}", kind.prefix(), URL_SAFE_NO_PAD.encode(bytes))
}

/// A client id: public, random, short enough for a configuration file.
pub fn new_client_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("pcl_{}", hex::encode(bytes))
}

/// The stored form of a token of `kind`; `None` when it is not one (wrong prefix or length),
/// so that nothing else is ever looked up.
pub fn hash(kind: Kind, token: &str) -> Option<String> {
    let body = token.strip_prefix(kind.prefix())?;
    (body.len() == 43 && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| hex::encode(Sha256::digest(token.as_bytes())))
}

/// Compares a presented secret with a stored hash in constant time.
pub fn secret_matches(given: &str, stored_hash: &str) -> bool {
    let Some(given) = hash(Kind::ClientSecret, given) else { return false };
    bool::from(given.as_bytes().ct_eq(stored_hash.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_may_shorten_its_refresh_tokens_life_but_not_below_an_hour_or_beyond_the_default() {
        assert_eq!(refresh_lifetime_choice(None), Ok(None));
        assert_eq!(refresh_lifetime_choice(Some(REFRESH_TOKEN_SECS)), Ok(None));
        assert_eq!(refresh_lifetime_choice(Some(86_400)), Ok(Some(86_400)));
        assert_eq!(refresh_lifetime_choice(Some(3600)), Ok(Some(3600)));
        assert_eq!(refresh_lifetime_choice(Some(3599)), Err(LifetimeOutOfRange));
        assert_eq!(refresh_lifetime_choice(Some(REFRESH_TOKEN_SECS + 1)), Err(LifetimeOutOfRange));
        assert_eq!(refresh_lifetime_choice(Some(-5)), Err(LifetimeOutOfRange));
        assert_eq!(refresh_lifetime(Some(3600)), 3600);
        assert_eq!(refresh_lifetime(None), REFRESH_TOKEN_SECS);
    }

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let (a, b) = (new(Kind::AccessToken), new(Kind::AccessToken));
        assert_ne!(a, b);
        assert!(a.starts_with("pca_") && a.len() == 47, "{a}");
        let stored = hash(Kind::AccessToken, &a).unwrap();
        assert_eq!(stored.len(), 64);
        assert!(!stored.contains(&a[4..]));
        assert_eq!(hash(Kind::RefreshToken, &a), None, "an access token is no refresh token");
        assert_eq!(hash(Kind::AccessToken, "pca_short"), None);
        assert!(new_client_id().starts_with("pcl_"));
    }

    #[test]
    fn secrets_match_only_their_hash() {
        let secret = new(Kind::ClientSecret);
        let stored = hash(Kind::ClientSecret, &secret).unwrap();
        assert!(secret_matches(&secret, &stored));
        assert!(!secret_matches(&new(Kind::ClientSecret), &stored));
        assert!(!secret_matches(&stored, &stored), "the hash is not the secret");
    }
}
