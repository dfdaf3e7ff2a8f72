//! Rotating the server key: every instance runs with the new key as current
//! and the old one as previous (both decrypt), then `portcullis reencrypt`
//! re-seals what the old key sealed, after which the old key can go.
//!
//! Each row is rewritten by a compare-and-set UPDATE (`WHERE ... = old
//! ciphertext`), so a user who changes their 2FA while it runs keeps the
//! newer value; running it again, or on two machines at once, is harmless.

use sqlx::Row;

use super::db::Db;
use super::store::credentials::{code_context, secret_context};
use super::store::enrollments;
use super::store::upstream::providers;
use crate::error::AppResult;
use crate::twofactor::secret_box::{Keys, Opened};

/// What one `reencrypt` run found and did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ReencryptReport {
    /// Values re-sealed under the current key.
    pub resealed: u64,
    /// Values already under the current key.
    pub current: u64,
    /// Values no configured key opens (left as they are).
    pub undecryptable: u64,
    /// Rows that changed while we worked (left to their newer value).
    pub changed_meanwhile: u64,
}

impl ReencryptReport {
    fn count(&mut self, opened: &Option<Opened>) -> bool {
        match opened {
            None => self.undecryptable += 1,
            Some(o) if o.by_current_key => self.current += 1,
            Some(_) => return true,
        }
        false
    }

    fn written(&mut self, rows_affected: u64) {
        if rows_affected == 1 {
            self.resealed += 1;
        } else {
            self.changed_meanwhile += 1;
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn reencrypt(db: &Db, keys: &Keys) -> AppResult<ReencryptReport> {
    let mut report = ReencryptReport::default();
    reencrypt_secrets(db, keys, &mut report).await?;
    reencrypt_backup_codes(db, keys, &mut report).await?;
    reencrypt_enrollments(db, keys, &mut report).await?;
    reencrypt_signing_keys(db, keys, &mut report).await?;
    reencrypt_provider_secrets(db, keys, &mut report).await?;
    reencrypt_phones(db, keys, &mut report).await?;
    Ok(report)
}

/// The numbers text messages go to. (A number being set up lives 15 minutes
/// and is not re-sealed: one caught by a rotation is set up again.)
async fn reencrypt_phones(db: &Db, keys: &Keys, report: &mut ReencryptReport) -> AppResult<()> {
    reseal_per_user(db, keys, report, ("sms_credentials", "phone_sealed"), super::store::sms::phone_context).await
}

async fn reencrypt_secrets(db: &Db, keys: &Keys, report: &mut ReencryptReport) -> AppResult<()> {
    reseal_per_user(db, keys, report, ("totp_credentials", "secret_sealed"), secret_context).await
}

/// Re-seals one sealed column of a table keyed by `user_id`, sealed for `context(user_id)`.
async fn reseal_per_user(
    db: &Db,
    keys: &Keys,
    report: &mut ReencryptReport,
    (table, column): (&str, &str),
    context: fn(i64) -> String,
) -> AppResult<()> {
    // Table and column names come from this module, never from input.
    for row in sqlx::query(&format!("SELECT user_id, {column} FROM {table}")).fetch_all(db).await? {
        let (user_id, sealed): (i64, Vec<u8>) = (row.try_get("user_id")?, row.try_get(column)?);
        let opened = keys.open_telling_key(&sealed, &context(user_id)).ok();
        if !report.count(&opened) {
            continue;
        }
        let plaintext = opened.map(|o| o.plaintext).unwrap_or_default();
        let sql = format!("UPDATE {table} SET {column} = $1 WHERE user_id = $2 AND {column} = $3");
        let done = sqlx::query(&sql)
            .bind(keys.seal(&plaintext, &context(user_id)))
            .bind(user_id)
            .bind(sealed)
            .execute(db)
            .await?;
        report.written(done.rows_affected());
    }
    Ok(())
}

/// A backup code's lookup hash is keyed too: it is recomputed with the seal.
async fn reencrypt_backup_codes(db: &Db, keys: &Keys, report: &mut ReencryptReport) -> AppResult<()> {
    for row in sqlx::query("SELECT user_id, position, code_sealed FROM backup_codes").fetch_all(db).await? {
        let (user_id, position, sealed): (i64, i64, Vec<u8>) =
            (row.try_get("user_id")?, row.try_get("position")?, row.try_get("code_sealed")?);
        let opened = keys.open_telling_key(&sealed, &code_context(user_id)).ok();
        if !report.count(&opened) {
            continue;
        }
        let code = String::from_utf8_lossy(&opened.map(|o| o.plaintext).unwrap_or_default()).into_owned();
        let done = sqlx::query(
            "UPDATE backup_codes SET code_sealed = $1, lookup_hash = $2 WHERE user_id = $3 AND position = $4 AND code_sealed = $5",
        )
        .bind(keys.seal(code.as_bytes(), &code_context(user_id)))
        .bind(keys.lookup_hash(&code))
        .bind(user_id)
        .bind(position)
        .bind(sealed)
        .execute(db)
        .await?;
        report.written(done.rows_affected());
    }
    Ok(())
}

/// Enrollments live 15 minutes, but one in progress during a rotation should
/// still finish, so its secret (and codes, once verified) are re-sealed too.
async fn reencrypt_enrollments(db: &Db, keys: &Keys, report: &mut ReencryptReport) -> AppResult<()> {
    for row in sqlx::query("SELECT session_hash, user_id, secret_sealed, codes_sealed FROM totp_enrollments")
        .fetch_all(db)
        .await?
    {
        let session_hash: String = row.try_get("session_hash")?;
        let user_id: i64 = row.try_get("user_id")?;
        let context = enrollments::context(user_id);
        for column in ["secret_sealed", "codes_sealed"] {
            let Some(sealed) = row.try_get::<Option<Vec<u8>>, _>(column)? else { continue };
            let opened = keys.open_telling_key(&sealed, &context).ok();
            if !report.count(&opened) {
                continue;
            }
            let plaintext = opened.map(|o| o.plaintext).unwrap_or_default();
            // The column name comes from the list above, never from input.
            let sql = format!("UPDATE totp_enrollments SET {column} = $1 WHERE session_hash = $2 AND {column} = $3");
            let done = sqlx::query(&sql)
                .bind(keys.seal(&plaintext, &context))
                .bind(&session_hash)
                .bind(sealed)
                .execute(db)
                .await?;
            report.written(done.rows_affected());
        }
    }
    Ok(())
}

/// The OpenID Connect signing keys, sealed under the key id.
async fn reencrypt_signing_keys(db: &Db, keys: &Keys, report: &mut ReencryptReport) -> AppResult<()> {
    for (kid, sealed) in super::store::oidc::keys::all_sealed(db).await? {
        let context = super::store::oidc::keys::context(&kid);
        let opened = keys.open_telling_key(&sealed, &context).ok();
        if !report.count(&opened) {
            continue;
        }
        let plaintext = opened.map(|o| o.plaintext).unwrap_or_default();
        let resealed = super::store::oidc::keys::reseal(db, &kid, &sealed, &keys.seal(&plaintext, &context)).await?;
        report.written(u64::from(resealed));
    }
    Ok(())
}

/// Refuses to serve with keys that cannot open the newest stored secret: an
/// instance started with a different key would seal secrets no other
/// instance can read.
pub async fn check_keys(db: &Db, keys: &Keys) -> AppResult<Result<(), String>> {
    let row = sqlx::query("SELECT user_id, secret_sealed FROM totp_credentials ORDER BY enabled_at DESC LIMIT 1")
        .fetch_optional(db)
        .await?;
    let Some(row) = row else { return Ok(Ok(())) };
    let (user_id, sealed): (i64, Vec<u8>) = (row.try_get("user_id")?, row.try_get("secret_sealed")?);
    Ok(match keys.open(&sealed, &secret_context(user_id)) {
        Ok(_) => Ok(()),
        Err(_) => Err("the secret key does not decrypt the stored two-factor secrets: every instance needs the same \
                       PORTCULLIS_SECRET_KEY, and during a rotation the old one in PORTCULLIS_PREVIOUS_SECRET_KEYS"
            .to_string()),
    })
}

/// Identity providers' client secrets (stored as base64 text).
async fn reencrypt_provider_secrets(db: &Db, keys: &Keys, report: &mut ReencryptReport) -> AppResult<()> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    for row in
        sqlx::query("SELECT id, issuer, client_id, client_secret_sealed FROM upstream_providers").fetch_all(db).await?
    {
        let (id, stored): (i64, String) = (row.try_get("id")?, row.try_get("client_secret_sealed")?);
        let context =
            providers::secret_context(&row.try_get::<String, _>("issuer")?, &row.try_get::<String, _>("client_id")?);
        let opened = STANDARD.decode(&stored).ok().and_then(|sealed| keys.open_telling_key(&sealed, &context).ok());
        if !report.count(&opened) {
            continue;
        }
        let plaintext = opened.map(|o| o.plaintext).unwrap_or_default();
        let done = sqlx::query(
            "UPDATE upstream_providers SET client_secret_sealed = $1 WHERE id = $2 AND client_secret_sealed = $3",
        )
        .bind(STANDARD.encode(keys.seal(&plaintext, &context)))
        .bind(id)
        .bind(&stored)
        .execute(db)
        .await?;
        report.written(done.rows_affected());
    }
    Ok(())
}
