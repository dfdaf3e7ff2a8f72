//! Registrations and authentications in progress: webauthn-rs's state of the
//! challenge, kept in the database between the two requests of a ceremony
//! (any instance may serve either), bound to what started it, used once and
//! expiring.

use sqlx::Row;

use crate::error::{AppError, AppResult};
use crate::server::store::sessions::{new_token, token_hash};
use crate::server::webauthn::CEREMONY_SECS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// "Add a security key": bound to the session.
    Register,
    /// The login's second step: bound to the pending login.
    SecondFactor,
    /// Confirming a protection change with a security key: bound to the session.
    Confirm,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SecondFactor => "second_factor",
            Self::Confirm => "confirm",
        }
    }
}

/// A ceremony as it was started.
pub struct Claimed {
    pub user_id: Option<i64>,
    pub key_name: Option<String>,
    pub state: String,
}

/// Starts a ceremony and returns its id, which the browser sends back with
/// the authenticator's answer. A new registration or second step replaces
/// the one its session or pending login had in progress.
pub async fn create<'c>(
    tx: &mut sqlx::Transaction<'c, sqlx::Any>,
    kind: Kind,
    binding: &str,
    (user_id, key_name): (Option<i64>, Option<&str>),
    state: &impl serde::Serialize,
    now: i64,
) -> AppResult<String> {
    sqlx::query("DELETE FROM webauthn_ceremonies WHERE kind = $1 AND binding = $2")
        .bind(kind.as_str())
        .bind(binding)
        .execute(&mut **tx)
        .await?;
    let id = new_token();
    let state = serde_json::to_string(state).map_err(|_| AppError::Internal)?;
    sqlx::query(
        "INSERT INTO webauthn_ceremonies (id_hash, kind, binding, user_id, key_name, state, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(token_hash(&id))
    .bind(kind.as_str())
    .bind(binding)
    .bind(user_id)
    .bind(key_name)
    .bind(state)
    .bind(now + CEREMONY_SECS)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Takes the ceremony out (one DELETE ... RETURNING: of two requests with
/// the same id, one gets it); `None` when it does not exist, was used, is
/// bound to something else or has expired.
pub async fn claim<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    id: &str,
    kind: Kind,
    binding: &str,
    now: i64,
) -> AppResult<Option<Claimed>> {
    let row = sqlx::query(
        "DELETE FROM webauthn_ceremonies WHERE id_hash = $1 AND kind = $2 AND binding = $3 \
         RETURNING user_id, key_name, state, expires_at",
    )
    .bind(token_hash(id))
    .bind(kind.as_str())
    .bind(binding)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    if row.try_get::<i64, _>("expires_at")? <= now {
        return Ok(None);
    }
    Ok(Some(Claimed {
        user_id: row.try_get("user_id")?,
        key_name: row.try_get("key_name")?,
        state: row.try_get("state")?,
    }))
}

pub async fn delete_expired(db: &crate::server::Db, now: i64) -> AppResult<u64> {
    let done = sqlx::query("DELETE FROM webauthn_ceremonies WHERE expires_at <= $1").bind(now).execute(db).await?;
    Ok(done.rows_affected())
}

/// webauthn-rs's state of a ceremony, read back.
pub fn state_of<T: serde::de::DeserializeOwned>(claimed: &Claimed) -> AppResult<T> {
    serde_json::from_str(&claimed.state).map_err(|e| {
        tracing::error!(error = %e, "a stored WebAuthn ceremony does not parse");
        AppError::Internal
    })
}
