//! Encryption at rest for TOTP secrets and backup codes: AES-256-GCM with a
//! key derived from the server's secret key, a random nonce per message, and
//! associated data naming what the value is and whose it is, so a ciphertext
//! moved to another row or another user does not decrypt.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored secret could not be decrypted")]
pub struct DecryptError;

/// The two keys derived from one server secret, one per purpose.
#[derive(Clone)]
struct KeyPair {
    encryption: [u8; 32],
    lookup: [u8; 32],
}

impl KeyPair {
    fn derive(master: &[u8; 32]) -> Self {
        Self { encryption: derive(master, "portcullis/encryption/v1"), lookup: derive(master, "portcullis/lookup/v1") }
    }

    fn open(&self, sealed: &[u8], associated: &str) -> Result<Vec<u8>, DecryptError> {
        if sealed.len() < 1 + NONCE_LEN || sealed[0] != VERSION {
            return Err(DecryptError);
        }
        let (nonce, ciphertext) = sealed[1..].split_at(NONCE_LEN);
        Aes256Gcm::new((&self.encryption).into())
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: associated.as_bytes() })
            .map_err(|_| DecryptError)
    }

    #[allow(clippy::expect_used, reason = "HMAC accepts keys of any length")]
    fn lookup_hash(&self, value: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup).expect("HMAC takes any key length");
        mac.update(value.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The current server key, which seals everything new, and the previous keys
/// of a rotation, which still open what they sealed until it is re-sealed
/// (`portcullis reencrypt`). GCM's tag tells which key fits, so the stored
/// format needs no key id.
#[derive(Clone)]
pub struct Keys {
    current: KeyPair,
    previous: Vec<KeyPair>,
}

/// A decrypted value, and whether the current key sealed it.
pub struct Opened {
    pub plaintext: Vec<u8>,
    pub by_current_key: bool,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Keys(current, {} previous)", self.previous.len())
    }
}

#[allow(clippy::expect_used, reason = "HMAC accepts keys of any length")]
fn derive(master: &[u8; 32], purpose: &str) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

impl Keys {
    pub fn new(master: &[u8; 32]) -> Self {
        Self::with_previous(master, &[])
    }

    pub fn with_previous(current: &[u8; 32], previous: &[[u8; 32]]) -> Self {
        Self { current: KeyPair::derive(current), previous: previous.iter().map(KeyPair::derive).collect() }
    }

    #[allow(clippy::expect_used, reason = "AES-GCM fails only beyond 64 GiB of plaintext")]
    pub fn seal(&self, plaintext: &[u8], associated: &str) -> Vec<u8> {
        let cipher = Aes256Gcm::new((&self.current.encryption).into());
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let ciphertext = cipher
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plaintext, aad: associated.as_bytes() })
            .expect("AES-GCM encryption cannot fail for in-memory sizes");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    pub fn open(&self, sealed: &[u8], associated: &str) -> Result<Vec<u8>, DecryptError> {
        self.open_telling_key(sealed, associated).map(|opened| opened.plaintext)
    }

    pub fn open_telling_key(&self, sealed: &[u8], associated: &str) -> Result<Opened, DecryptError> {
        if let Ok(plaintext) = self.current.open(sealed, associated) {
            return Ok(Opened { plaintext, by_current_key: true });
        }
        self.previous
            .iter()
            .find_map(|key| key.open(sealed, associated).ok())
            .map(|plaintext| Opened { plaintext, by_current_key: false })
            .ok_or(DecryptError)
    }

    /// A keyed hash for finding a value (a backup code) without storing it in
    /// the clear, under the current key: what new rows store.
    pub fn lookup_hash(&self, value: &str) -> String {
        self.current.lookup_hash(value)
    }

    /// The value's hash under every key, current first: what a stored row may hold.
    pub fn lookup_hashes(&self, value: &str) -> Vec<String> {
        std::iter::once(&self.current).chain(&self.previous).map(|key| key.lookup_hash(value)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let keys = Keys::new(&[7; 32]);
        let sealed = keys.seal(b"secret", "totp:1");
        assert_eq!(keys.open(&sealed, "totp:1").unwrap(), b"secret");
        assert_eq!(keys.open(&sealed, "totp:2"), Err(DecryptError), "bound to its user");
        assert_eq!(Keys::new(&[8; 32]).open(&sealed, "totp:1"), Err(DecryptError), "bound to the key");
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(keys.open(&tampered, "totp:1"), Err(DecryptError));
        assert_ne!(keys.seal(b"secret", "totp:1"), sealed, "fresh nonce each time");
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
    }

    #[test]
    fn lookup_hash_is_keyed() {
        let keys = Keys::new(&[7; 32]);
        assert_eq!(keys.lookup_hash("abcde-fgh0j"), keys.lookup_hash("abcde-fgh0j"));
        assert_ne!(keys.lookup_hash("abcde-fgh0j"), Keys::new(&[8; 32]).lookup_hash("abcde-fgh0j"));
    }

    #[test]
    fn previous_keys_open_until_resealed() {
        let (old, new) = ([1; 32], [2; 32]);
        let sealed_by_old = Keys::new(&old).seal(b"secret", "totp:1");
        let rotated = Keys::with_previous(&new, &[old]);
        let opened = rotated.open_telling_key(&sealed_by_old, "totp:1").unwrap();
        assert_eq!((opened.plaintext.as_slice(), opened.by_current_key), (&b"secret"[..], false));
        let resealed = rotated.seal(b"secret", "totp:1");
        assert!(rotated.open_telling_key(&resealed, "totp:1").unwrap().by_current_key);
        assert_eq!(Keys::new(&new).open(&resealed, "totp:1").unwrap(), b"secret", "the old key is no longer needed");
        assert_eq!(Keys::new(&new).open(&sealed_by_old, "totp:1"), Err(DecryptError));
        assert_eq!(rotated.open(&sealed_by_old, "totp:2"), Err(DecryptError), "still bound to its user");
    }

    #[test]
    fn lookup_hashes_cover_every_key_current_first() {
        let rotated = Keys::with_previous(&[2; 32], &[[1; 32]]);
        let hashes = rotated.lookup_hashes("abcde-fgh0j");
        assert_eq!(
            hashes,
            vec![Keys::new(&[2; 32]).lookup_hash("abcde-fgh0j"), Keys::new(&[1; 32]).lookup_hash("abcde-fgh0j")]
        );
        assert_eq!(rotated.lookup_hash("abcde-fgh0j"), hashes[0]);
    }
}
