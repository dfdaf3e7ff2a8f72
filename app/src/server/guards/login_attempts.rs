//! The guessing limits of password logins: every attempt takes one from its
//! address's allowance and one from its account's, before the hash. The
//! account is counted by the email typed, whether it exists or not, so the
//! same rows are written either way and neither the answer, nor its timing,
//! nor the database tells which emails are registered.

use crate::error::AppResult;
use crate::server::guards::attempts::{self, Counter, Reservation};
use crate::server::store::events::{self, RequestMeta, SecurityEvent};
use crate::server::AppState;

#[must_use]
pub struct LoginAttempt {
    address: Option<Reservation>,
    account: Reservation,
    /// The email as typed, normalised: what the security log is written for.
    email: String,
}

/// Reserves the attempt, or refuses with the wait (the address, or the account, is waiting).
pub async fn begin(state: &AppState, email: &str, meta: &RequestMeta) -> AppResult<LoginAttempt> {
    let now = state.clock.now();
    let address = match meta.ip {
        Some(ip) => Some(attempts::reserve(&state.db, Counter::login_address(ip), now).await?),
        None => None,
    };
    match attempts::reserve(&state.db, Counter::login_account(&state.keys, email), now).await {
        Ok(account) => Ok(LoginAttempt { address, account, email: email.trim().to_lowercase() }),
        Err(refused) => {
            // Refused before any check: that costs the address nothing.
            if let Some(address) = address {
                address.release(&state.db).await?;
            }
            Err(refused)
        }
    }
}

impl LoginAttempt {
    /// The right password: the account's count starts over; the address
    /// gets its attempt back (its count is of failures only).
    pub async fn succeeded(self, state: &AppState) -> AppResult<()> {
        let mut conn = state.db.acquire().await?;
        self.succeeded_in(&mut conn).await
    }

    /// As `succeeded`, inside the login's own transaction: the counts start
    /// over only with a login that committed, and in the same write.
    pub async fn succeeded_in(self, conn: &mut sqlx::AnyConnection) -> AppResult<()> {
        self.account.succeeded(&mut *conn).await?;
        if let Some(address) = self.address {
            address.release(&mut *conn).await?;
        }
        Ok(())
    }

    /// Not decided (the hasher was busy): neither a success nor a failure.
    pub async fn abandoned(self, state: &AppState) -> AppResult<()> {
        self.account.release(&state.db).await?;
        if let Some(address) = self.address {
            address.release(&state.db).await?;
        }
        Ok(())
    }

    /// A wrong password, or no such account: the failure stays counted, and
    /// the account's security log (if there is an account) says so, with the
    /// same statements in both cases.
    pub async fn failed(self, state: &AppState, meta: &RequestMeta) -> AppResult<()> {
        let now = state.clock.now();
        let mut tx = crate::server::db::begin_write(&state.db).await?;
        events::record_for_email(&mut *tx, &self.email, SecurityEvent::LoginFailed, meta, now).await?;
        if self.account.locked(now) {
            events::record_for_email(&mut *tx, &self.email, SecurityEvent::LoginLockout, meta, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
