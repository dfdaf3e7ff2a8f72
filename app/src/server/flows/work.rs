//! The unit of work: one transaction that a use case's change, its audit or
//! security-log rows and its outgoing messages are written in, and that
//! settles the second-factor challenge which authorized it, on every path:
//! committed (the code is used up, the allowance clears), abandoned (nothing
//! written, the attempt given back), or dropped by an error (rolled back,
//! the attempt stays counted). Kanidm's write transaction is the model.
//!
//! Messages go to the outbox in the same transaction, so a change that rolls
//! back sends nothing, and the worker delivers only what committed.

use super::reauthentication::Proven;
use super::{Ctx, Tx};
use crate::error::AppError;
use crate::error::AppResult;
use crate::server::guards::second_factor::{Challenge, Claim, Factor, KeyAttempt};
use crate::server::refusals::Refused;
use crate::server::store::browsers;
use crate::server::store::events::{self, AuditEvent, RequestMeta, SecurityEvent};
use crate::server::store::outbox::{self, Message, MessageKind};
use crate::server::words::audit_detail::Detail;
use crate::server::{store::orgs, store::sessions, AppState};

/// How a key confirmation made earlier in the session stays good.
pub const KEY_CONFIRMATION_SECS: i64 = 5 * 60;

/// What the change proved, to settle once it ends.
enum Settle {
    Nothing,
    /// A password given with this change (a challenge without a code).
    Password(Challenge),
    /// A code claimed in this transaction.
    Code(Challenge, Factor),
    /// A security key's answer, checked; its use is recorded in this transaction.
    KeyAnswer(KeyAttempt),
    /// A key confirmed earlier in this session, used up in this transaction.
    Key,
}

#[must_use = "a unit of work is committed or abandoned"]
pub struct Work<'a> {
    state: &'a AppState,
    meta: &'a RequestMeta,
    now: i64,
    tx: Tx,
    settle: Settle,
}

impl<'a> Ctx<'a> {
    /// A unit of work that no second factor authorized. Its transaction is
    /// the only way a use case writes (`db::begin_write`: SQLite's write lock at once).
    pub async fn work(&self) -> AppResult<Work<'a>> {
        let tx = crate::server::db::begin_write(&self.state.db).await?;
        Ok(Work { state: self.state, meta: self.meta, now: self.now, tx, settle: Settle::Nothing })
    }

    /// A unit of work authorized by what the person proved: a code is
    /// claimed (and a key confirmation used) inside it, so either is used up
    /// only by the change it authorizes. A wrong code rolls back and counts.
    pub async fn work_proven(&self, proven: Proven) -> AppResult<Work<'a>> {
        let mut work = self.work().await?;
        match proven {
            Proven::Password(None) => {}
            Proven::Password(Some(challenge)) => work.settle = Settle::Password(challenge),
            Proven::Code(challenge) => match challenge.claim(&mut work.tx, self.state, self.meta).await? {
                Claim::Used(factor) => work.settle = Settle::Code(challenge, factor),
                Claim::NotAsked | Claim::Wrong => {
                    work.tx.rollback().await?;
                    return Err(challenge.failed(self.state, self.meta).await);
                }
            },
            Proven::Key { session_hash, otherwise } => {
                let since = self.now - KEY_CONFIRMATION_SECS;
                if !sessions::take_key_confirmation(&mut *work.tx, &session_hash, since).await? {
                    work.tx.rollback().await?;
                    return Err(otherwise.into());
                }
                work.settle = Settle::Key;
            }
        }
        Ok(work)
    }
}

impl<'a> Ctx<'a> {
    /// A unit of work authorized by a security key's answer (checked; the
    /// key's use is recorded in it). Committed, the allowance clears.
    pub async fn work_with_key(&self, attempt: KeyAttempt) -> AppResult<Work<'a>> {
        let mut work = self.work().await?;
        work.settle = Settle::KeyAnswer(attempt);
        Ok(work)
    }
}

impl Work<'_> {
    pub fn tx(&mut self) -> &mut Tx {
        &mut self.tx
    }

    /// The request's time, as the use case read it.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The code that authorized the change, if one did.
    pub fn factor(&self) -> Option<Factor> {
        match self.settle {
            Settle::Code(_, factor) => Some(factor),
            _ => None,
        }
    }

    /// The password was given with this change (the session's "recently" starts again).
    pub fn gave_password(&self) -> bool {
        matches!(self.settle, Settle::Password(_) | Settle::Code(..))
    }

    /// A row of `user_id`'s security log.
    pub async fn security(&mut self, user_id: i64, event: SecurityEvent) -> AppResult<()> {
        events::record(&mut *self.tx, user_id, event, self.meta, self.now).await
    }

    /// A security-log row about something named (the provider signed in through).
    pub async fn security_about(&mut self, user_id: i64, event: SecurityEvent, detail: &str) -> AppResult<()> {
        events::record_about(&mut *self.tx, user_id, event, (self.meta, detail), self.now).await
    }

    /// A row of an organization's audit log, with its parameters (worded when read).
    pub async fn audit(&mut self, org_id: i64, actor_id: i64, event: AuditEvent, detail: Detail) -> AppResult<()> {
        orgs::audit(&mut *self.tx, org_id, Some(actor_id), event, &detail.stored(), self.now).await
    }

    /// A sign-in: the session (its token returned), the security-log row, and
    /// the browser recorded; a browser the account never signed in from
    /// before is mailed about (unless the person turned that mail off).
    pub async fn signed_in(&mut self, user_id: i64, proof: sessions::Proof) -> AppResult<String> {
        let token =
            sessions::create(&mut *self.tx, user_id, proof, (self.now, self.meta), &self.state.settings).await?;
        self.security(user_id, SecurityEvent::LoggedIn).await?;
        if let Some(browser) = self.meta.browser.as_deref() {
            let new = browsers::seen(&mut self.tx, user_id, browser, (self.now, self.meta)).await?;
            if new && browsers::wants_mail(&mut *self.tx, user_id).await? {
                let agent = self.meta.user_agent.as_deref().unwrap_or("");
                let browser = crate::server::words::labels::browser_label(agent);
                let address = self.meta.ip.map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
                let message = Message::to(user_id, MessageKind::NewBrowser).with("browser", browser);
                self.send(message.with("address", address)).await?;
            }
        }
        Ok(token)
    }

    /// A message to deliver once this commits (never if it does not).
    pub async fn send(&mut self, message: Message) -> AppResult<()> {
        outbox::enqueue(&mut *self.tx, &self.state.keys, &message, self.now).await
    }

    pub async fn commit(self) -> AppResult<()> {
        self.tx.commit().await?;
        match self.settle {
            Settle::Code(challenge, factor) => {
                crate::server::meters::second_factor_passed(factor.as_str());
                challenge.passed(self.state, Claim::Used(factor)).await
            }
            Settle::Password(challenge) => challenge.passed(self.state, Claim::NotAsked).await,
            Settle::KeyAnswer(attempt) => {
                crate::server::meters::second_factor_passed("security_key");
                attempt.passed(self.state).await
            }
            Settle::Nothing | Settle::Key => Ok(()),
        }
    }

    /// The key's answer cannot be used after all (its counter did not move
    /// forward: a replay): rolled back, the failure counted and logged.
    pub async fn refuse_key(self, refusal: Refused) -> AppError {
        if let Err(e) = self.tx.rollback().await {
            return e.into();
        }
        match self.settle {
            Settle::KeyAnswer(attempt) => {
                attempt.failed(self.state, self.meta, SecurityEvent::SecurityKeyFailed, refusal).await
            }
            _ => refusal.into(),
        }
    }

    /// The change cannot happen after all (overtaken by another request):
    /// nothing is written, a code or key confirmation stays unused, and the
    /// attempt is given back.
    pub async fn abandon(self) -> AppResult<()> {
        self.tx.rollback().await?;
        match self.settle {
            Settle::Code(challenge, _) | Settle::Password(challenge) => {
                challenge.passed(self.state, Claim::NotAsked).await
            }
            // The key answered rightly: the allowance clears even if the change was overtaken.
            Settle::KeyAnswer(attempt) => attempt.passed(self.state).await,
            Settle::Nothing | Settle::Key => Ok(()),
        }
    }
}
