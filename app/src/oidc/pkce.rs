//! Proof Key for Code Exchange (RFC 7636), `S256` only: `plain` would let
//! whoever sees the authorization request redeem the code.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// 43 to 128 characters of `[A-Za-z0-9-._~]` (RFC 7636 §4.1).
pub fn verifier_is_well_formed(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// An S256 challenge is the base64url of a SHA-256: 43 characters.
pub fn challenge_is_well_formed(challenge: &str) -> bool {
    challenge.len() == 43 && challenge.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
}

pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The verifier hashes to the challenge (compared in constant time).
pub fn verify(verifier: &str, challenge: &str) -> bool {
    verifier_is_well_formed(verifier) && bool::from(s256(verifier).as_bytes().ct_eq(challenge.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636, appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn the_rfc_example_verifies() {
        assert_eq!(s256(VERIFIER), CHALLENGE);
        assert!(verify(VERIFIER, CHALLENGE));
        assert!(challenge_is_well_formed(CHALLENGE));
    }

    #[test]
    fn a_wrong_or_malformed_verifier_fails() {
        assert!(!verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXj", CHALLENGE));
        assert!(!verify("short", &s256("short")), "too short even if it hashes right");
        assert!(!verify(&"a".repeat(129), &s256(&"a".repeat(129))));
        assert!(!verify(&format!("{}!", &VERIFIER[..43]), CHALLENGE));
        assert!(!verify(CHALLENGE, CHALLENGE), "the challenge itself (plain) is no verifier");
    }

    #[test]
    fn challenges_have_the_shape_of_a_hash() {
        assert!(!challenge_is_well_formed("abc"));
        assert!(!challenge_is_well_formed(&format!("{}=", &CHALLENGE[..42])));
    }
}
