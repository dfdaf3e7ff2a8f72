//! Personal access tokens and application passwords at rest.
//!
//! Format: `pcl_pat_` (a token) or `pcl_app_` (an application password),
//! then 32 base62 characters from the OS's random source (190 bits), then 6
//! base62 characters of the CRC-32 of everything before them. The prefix
//! and the checksum let secret scanners recognise a leaked one without
//! asking us, and let us refuse a mistyped one without a database read.
//!
//! Only the SHA-256 of a secret is stored. With 190 random bits nobody can
//! search for a preimage, so a slow password hash (argon2) would add nothing
//! but a CPU-bound wait to every API request; a fast hash also makes the
//! lookup one indexed read.

use rand::Rng;
use sqlx::Row;

use crate::api_access::{parse_scopes, scopes_to_string, ApiCredential, CredentialKind, Scope};
use crate::error::AppResult;
use crate::server::db::Db;

pub const TOKEN_PREFIX: &str = "pcl_pat_";
pub const APP_PASSWORD_PREFIX: &str = "pcl_app_";
const BODY_LEN: usize = 32;
const CHECKSUM_LEN: usize = 6;
const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn prefix(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::PersonalAccessToken => TOKEN_PREFIX,
        CredentialKind::ApplicationPassword => APP_PASSWORD_PREFIX,
    }
}

/// CRC-32 (IEEE), as secret scanners compute it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn checksum(head: &str) -> String {
    let mut n = crc32(head.as_bytes());
    let mut out = [b'0'; CHECKSUM_LEN];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    out.iter().map(|&b| char::from(b)).collect()
}

/// A new secret of `kind`.
pub fn generate(kind: CredentialKind) -> String {
    let mut rng = rand::rngs::OsRng;
    let body: String = (0..BODY_LEN).map(|_| char::from(BASE62[rng.gen_range(0..BASE62.len())])).collect();
    let head = format!("{}{body}", prefix(kind));
    let sum = checksum(&head);
    format!("{head}{sum}")
}

/// The kind of a well-formed secret (prefix, length, alphabet, checksum), or `None`.
pub fn recognise(secret: &str) -> Option<CredentialKind> {
    let kind = [CredentialKind::PersonalAccessToken, CredentialKind::ApplicationPassword]
        .into_iter()
        .find(|k| secret.starts_with(prefix(*k)))?;
    let rest = &secret[prefix(kind).len()..];
    if rest.len() != BODY_LEN + CHECKSUM_LEN || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let (head, sum) = secret.split_at(secret.len() - CHECKSUM_LEN);
    (checksum(head) == sum).then_some(kind)
}

pub fn hash(secret: &str) -> String {
    crate::server::store::sessions::token_hash(secret)
}

/// A stored token or application password, as the API's authentication needs it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub id: i64,
    pub user_id: i64,
    pub kind: CredentialKind,
    pub scopes: Vec<Scope>,
    pub expires_at: Option<i64>,
    pub revoked: bool,
    pub last_used_at: Option<i64>,
    pub last_used_ip: Option<String>,
}

pub struct NewCredential<'a> {
    pub user_id: i64,
    pub kind: CredentialKind,
    pub name: &'a str,
    pub scopes: &'a [Scope],
    pub expires_at: Option<i64>,
}

/// Stores the hash of `secret`; returns the row's id.
pub async fn insert<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    new: &NewCredential<'_>,
    secret: &str,
    now: i64,
) -> AppResult<i64> {
    let row = sqlx::query(
        "INSERT INTO api_tokens (user_id, kind, name, token_hash, scopes, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.user_id)
    .bind(new.kind.as_str())
    .bind(new.name)
    .bind(hash(secret))
    .bind(scopes_to_string(new.scopes))
    .bind(now)
    .bind(new.expires_at)
    .fetch_one(db)
    .await?;
    Ok(row.try_get("id")?)
}

fn kind_from(s: String) -> Result<CredentialKind, sqlx::Error> {
    CredentialKind::parse(&s).ok_or_else(|| sqlx::Error::Decode(format!("unknown credential kind {s}").into()))
}

fn scopes_from(s: String) -> Result<Vec<Scope>, sqlx::Error> {
    parse_scopes(&s).ok_or_else(|| sqlx::Error::Decode(format!("unknown scopes {s}").into()))
}

/// The credential whose secret is `secret`, revoked or expired ones included.
pub async fn find(db: &Db, secret: &str) -> AppResult<Option<Stored>> {
    let row = sqlx::query(
        "SELECT id, user_id, kind, scopes, expires_at, revoked_at, last_used_at, last_used_ip \
         FROM api_tokens WHERE token_hash = $1",
    )
    .bind(hash(secret))
    .fetch_optional(db)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let revoked_at: Option<i64> = r.try_get("revoked_at")?;
    Ok(Some(Stored {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        kind: kind_from(r.try_get("kind")?)?,
        scopes: scopes_from(r.try_get("scopes")?)?,
        expires_at: r.try_get("expires_at")?,
        revoked: revoked_at.is_some(),
        last_used_at: r.try_get("last_used_at")?,
        last_used_ip: r.try_get("last_used_ip")?,
    }))
}

/// Don't write `last_used_at` on every request, only when it has grown this
/// stale or the address changed.
const TOUCH_AFTER_SECS: i64 = 60;

/// Records a use (time and address), at most once a minute per address.
pub async fn touch(db: &Db, stored: &Stored, ip: Option<&str>, now: i64) -> AppResult<()> {
    let fresh = stored.last_used_at.is_some_and(|at| now - at < TOUCH_AFTER_SECS);
    if fresh && stored.last_used_ip.as_deref() == ip {
        return Ok(());
    }
    sqlx::query("UPDATE api_tokens SET last_used_at = $1, last_used_ip = $2 WHERE id = $3")
        .bind(now)
        .bind(ip.map(str::to_string))
        .bind(stored.id)
        .execute(db)
        .await?;
    Ok(())
}

/// The user's live (not revoked) credentials, newest first; expired ones are listed until revoked.
pub async fn list_for_user(db: &Db, user_id: i64) -> AppResult<Vec<ApiCredential>> {
    let rows = sqlx::query(
        "SELECT id, kind, name, scopes, created_at, expires_at, last_used_at, last_used_ip FROM api_tokens \
         WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    let row = |r: &sqlx::any::AnyRow| -> Result<ApiCredential, sqlx::Error> {
        Ok(ApiCredential {
            id: r.try_get("id")?,
            kind: kind_from(r.try_get("kind")?)?,
            name: r.try_get("name")?,
            scopes: scopes_from(r.try_get("scopes")?)?,
            created_at: r.try_get("created_at")?,
            expires_at: r.try_get("expires_at")?,
            last_used_at: r.try_get("last_used_at")?,
            last_used_ip: r.try_get("last_used_ip")?,
        })
    };
    Ok(rows.iter().map(row).collect::<Result<_, _>>()?)
}

/// Revokes the user's credential `id`; false when there is no such live one of theirs.
pub async fn revoke<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    user_id: i64,
    id: i64,
    now: i64,
) -> AppResult<Option<CredentialKind>> {
    let row = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL RETURNING kind",
    )
    .bind(now)
    .bind(id)
    .bind(user_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| r.try_get::<String, _>("kind")).transpose()?.map(kind_from).transpose()?)
}

/// How many live, unexpired tokens and application passwords each member of the organization has.
pub async fn active_counts(db: &Db, org_id: i64, now: i64) -> AppResult<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT m.user_id, COUNT(t.id) AS n FROM memberships m LEFT JOIN api_tokens t ON t.user_id = m.user_id \
         AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) WHERE m.org_id = $1 GROUP BY m.user_id",
    )
    .bind(org_id)
    .bind(now)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(|r| Ok((r.try_get("user_id")?, r.try_get("n")?))).collect::<Result<_, sqlx::Error>>()?)
}

/// Whether the organization lets tokens and application passwords reach its data.
pub async fn org_allows(db: &Db, org_id: i64) -> AppResult<bool> {
    let row =
        sqlx::query("SELECT allow_api_tokens FROM organizations WHERE id = $1").bind(org_id).fetch_optional(db).await?;
    Ok(row.map(|r| r.try_get::<i64, _>("allow_api_tokens")).transpose()?.unwrap_or(0) == 1)
}

pub async fn set_org_access<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    org_id: i64,
    allow: bool,
) -> AppResult<()> {
    sqlx::query("UPDATE organizations SET allow_api_tokens = $1 WHERE id = $2")
        .bind(i64::from(allow))
        .bind(org_id)
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_secret_is_recognised_and_a_changed_character_is_not() {
        let token = generate(CredentialKind::PersonalAccessToken);
        assert!(token.starts_with("pcl_pat_") && token.len() == 8 + 32 + 6, "{token}");
        assert_eq!(recognise(&token), Some(CredentialKind::PersonalAccessToken));
        let mut flipped = token.clone().into_bytes();
        flipped[10] = if flipped[10] == b'a' { b'b' } else { b'a' };
        assert_eq!(recognise(&String::from_utf8(flipped).unwrap()), None, "the checksum catches a typo");
        let app = generate(CredentialKind::ApplicationPassword);
        assert_eq!(recognise(&app), Some(CredentialKind::ApplicationPassword));
        assert_eq!(recognise("pcl_pat_short"), None);
        assert_eq!(recognise("correct horse battery"), None);
    }

    #[test]
    fn the_checksum_is_the_crc32_that_scanners_compute() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    }
}
