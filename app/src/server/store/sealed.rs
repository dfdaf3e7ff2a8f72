//! Handles that carry their own state: what an anonymous visitor starts (an
//! authorization request, a passkey sign-in) is sealed with the server's key
//! into the handle the browser sends back, so nothing is stored before the
//! person has acted. A handle is used once: the first use writes its hash
//! (one conditional INSERT, so of two racing uses one wins), kept until the
//! handle would have expired anyway.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};
use crate::server::Db;
use crate::twofactor::secret_box::Keys;

/// Longest handle opened at all: anything longer is not one of ours.
const MAX_HANDLE_LEN: usize = 16 * 1024;

#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    expires_at: i64,
    /// Random: two handles of the same content are still two handles.
    salt: u64,
    value: T,
}

/// Seals `value` for `purpose` (which a handle of another purpose never opens).
pub fn seal<T: Serialize>(keys: &Keys, purpose: &str, prefix: &str, value: &T, expires_at: i64) -> AppResult<String> {
    let envelope = Envelope { expires_at, salt: rand::random(), value };
    let json = serde_json::to_vec(&envelope).map_err(|_| AppError::Internal)?;
    Ok(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(keys.seal(&json, purpose))))
}

/// The sealed value and its expiry, if `handle` is an unexpired one of `purpose`.
pub fn open<T: DeserializeOwned>(keys: &Keys, purpose: &str, prefix: &str, handle: &str, now: i64) -> Option<(T, i64)> {
    if handle.len() > MAX_HANDLE_LEN {
        return None;
    }
    let sealed = URL_SAFE_NO_PAD.decode(handle.strip_prefix(prefix)?).ok()?;
    let json = keys.open(&sealed, purpose).ok()?;
    let envelope: Envelope<T> = serde_json::from_slice(&json).ok()?;
    (envelope.expires_at > now).then_some((envelope.value, envelope.expires_at))
}

/// What the used-handles table keeps of a handle.
pub fn hash(handle: &str) -> String {
    hex::encode(Sha256::digest(handle.as_bytes()))
}

/// Uses the handle up; true only for the one caller that did.
pub async fn use_once<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    handle_hash: &str,
    expires_at: i64,
) -> AppResult<bool> {
    let done = sqlx::query("INSERT INTO used_handles (hash, expires_at) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING")
        .bind(handle_hash)
        .bind(expires_at)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn was_used(db: &Db, handle_hash: &str) -> AppResult<bool> {
    let row =
        sqlx::query("SELECT 1 AS one FROM used_handles WHERE hash = $1").bind(handle_hash).fetch_optional(db).await?;
    Ok(row.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_opens_for_its_purpose_until_it_expires_and_never_after_tampering() {
        let keys = Keys::new(&[3; 32]);
        let handle = seal(&keys, "test-a", "pct_", &("state", 7), 100).unwrap();
        assert!(handle.starts_with("pct_"));
        assert_eq!(open::<(String, i64)>(&keys, "test-a", "pct_", &handle, 99), Some((("state".into(), 7), 100)));
        assert_eq!(open::<(String, i64)>(&keys, "test-a", "pct_", &handle, 100), None, "expired");
        assert_eq!(open::<(String, i64)>(&keys, "test-b", "pct_", &handle, 0), None, "another purpose");
        assert_eq!(open::<(String, i64)>(&Keys::new(&[4; 32]), "test-a", "pct_", &handle, 0), None, "another key");
        let mut tampered = handle.clone();
        tampered.pop();
        tampered.push(if handle.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(open::<(String, i64)>(&keys, "test-a", "pct_", &tampered, 0), None);
        assert_ne!(seal(&keys, "test-a", "pct_", &("state", 7), 100).unwrap(), handle, "salted");
    }
}
