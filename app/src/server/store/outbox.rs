//! The outbox: messages that leave the building (mail, and texted codes),
//! written by a unit of work in the transaction of the change they tell
//! about (`flows::Work::send`), and delivered after the commit by a worker
//! (`deliver_due`, run by the server next to the clean-up). A rolled-back
//! change leaves no row, so nothing is sent for it; a request never waits
//! on delivery; a message survives a restart.
//!
//! Several instances share the table: a row is delivered by the worker that
//! claimed it with a conditional UPDATE (one row affected), and a claim
//! lapses after `CLAIM_SECS`, so a worker that died mid-delivery does not
//! keep a message forever. Failures are retried with backoff, then given up.
//!
//! A message is a kind and structured parameters, never prose and never a
//! secret: the deliverer words it when it sends.

use std::future::Future;
use std::pin::Pin;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{Map, Value};
use sqlx::Row;

use crate::error::{AppError, AppResult};
use crate::server::Db;
use crate::twofactor::secret_box::Keys;

/// How long a worker's claim on a row lasts.
pub const CLAIM_SECS: i64 = 5 * 60;
/// Deliveries tried before a message is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// What a message tells its recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// Two-factor authentication was turned on.
    TwoFactorTurnedOn,
    /// Two-factor authentication was turned off (by the account's owner).
    TwoFactorTurnedOff,
    /// An organization's owner or admin reset the account's 2FA (`org`, `actor`).
    TwoFactorReset,
    /// A security key or passkey was added (`name`).
    SecurityKeyAdded,
    /// A security key or passkey was removed (`name`).
    SecurityKeyRemoved,
    /// New backup codes were made; the old ones stopped working.
    BackupCodesRegenerated,
    /// A backup code was used to sign in (`left`).
    BackupCodeUsed,
    /// "Verify your email address": a link (24 h).
    VerifyEmail,
    /// "Reset your password": a link (30 minutes).
    PasswordReset,
    /// The password was changed (`how`: "changed" or "reset").
    PasswordChanged,
    /// The address was changed; sent to the old one (`new_address`, masked).
    EmailChanged,
    /// A sign-in from a browser not seen before (`browser`, `address`, `at`).
    NewBrowser,
    /// A personal access token or application password was created (`name`).
    TokenCreated,
    /// An invitation to an organization (`org`, `inviter`).
    Invitation,
    /// An operator acted on the account from the command line (`what`).
    OperatorAction,
    /// A sign-in code, texted (the number and the code sealed in the row).
    SmsCode,
    /// A logout token for an application (`client`: its row id, `sid`), posted to its back-channel URI.
    BackchannelLogout,
}

/// Where a kind of message goes: each has its own worker, which runs only
/// when the operator configured that way out (SMTP, an SMS gateway).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Mail,
    Sms,
    /// Applications' back-channel logout URIs.
    Backchannel,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::Mail, Channel::Sms, Channel::Backchannel];

    /// Its name in the metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Mail => "mail",
            Channel::Sms => "sms",
            Channel::Backchannel => "backchannel",
        }
    }
}

impl MessageKind {
    pub const ALL: [MessageKind; 17] = [
        Self::TwoFactorTurnedOn,
        Self::TwoFactorTurnedOff,
        Self::TwoFactorReset,
        Self::SecurityKeyAdded,
        Self::SecurityKeyRemoved,
        Self::BackupCodesRegenerated,
        Self::BackupCodeUsed,
        Self::VerifyEmail,
        Self::PasswordReset,
        Self::PasswordChanged,
        Self::EmailChanged,
        Self::NewBrowser,
        Self::TokenCreated,
        Self::Invitation,
        Self::OperatorAction,
        Self::SmsCode,
        Self::BackchannelLogout,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TwoFactorTurnedOn => "two_factor_turned_on",
            Self::TwoFactorTurnedOff => "two_factor_turned_off",
            Self::TwoFactorReset => "two_factor_reset",
            Self::SecurityKeyAdded => "security_key_added",
            Self::SecurityKeyRemoved => "security_key_removed",
            Self::BackupCodesRegenerated => "backup_codes_regenerated",
            Self::BackupCodeUsed => "backup_code_used",
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::EmailChanged => "email_changed",
            Self::NewBrowser => "new_browser",
            Self::TokenCreated => "token_created",
            Self::Invitation => "invitation",
            Self::OperatorAction => "operator_action",
            Self::SmsCode => "sms_code",
            Self::BackchannelLogout => "backchannel_logout",
        }
    }

    pub fn channel(self) -> Channel {
        match self {
            Self::SmsCode => Channel::Sms,
            Self::BackchannelLogout => Channel::Backchannel,
            _ => Channel::Mail,
        }
    }

    /// How long after the change the message is of use: a code that would
    /// arrive after it expired is given up instead of retried.
    pub fn useful_for_secs(self) -> Option<i64> {
        match self {
            Self::SmsCode => Some(crate::twofactor::sms::CODE_SECS),
            _ => None,
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// A message the person may turn off (the security ones cannot be).
    pub fn optional(self) -> bool {
        matches!(self, Self::NewBrowser)
    }
}

/// A message to one account.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub kind: MessageKind,
    pub user_id: i64,
    pub params: Map<String, Value>,
    /// Another address than the account's (the old one after a change).
    pub to_address: Option<String>,
    /// The token of the message's link (verify, reset): sealed in the row
    /// with the server's key, opened only to word the message.
    pub link_token: Option<String>,
    /// Other secrets the deliverer needs (a texted code, its number), sealed likewise.
    pub sealed: Vec<(&'static str, String)>,
}

/// What a link's token is sealed for in an outbox row.
pub const LINK_PURPOSE: &str = "outbox-link";

impl Message {
    pub fn to(user_id: i64, kind: MessageKind) -> Self {
        Self { kind, user_id, params: Map::new(), to_address: None, link_token: None, sealed: Vec::new() }
    }

    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.params.insert(key.to_string(), value.into());
        self
    }

    #[must_use]
    pub fn at_address(mut self, address: &str) -> Self {
        self.to_address = Some(address.to_string());
        self
    }

    #[must_use]
    pub fn with_link_token(mut self, token: &str) -> Self {
        self.link_token = Some(token.to_string());
        self
    }

    /// A parameter only the deliverer may read (`open_sealed`).
    #[must_use]
    pub fn with_sealed(mut self, key: &'static str, value: &str) -> Self {
        self.sealed.push((key, value.to_string()));
        self
    }
}

fn sealed_purpose(key: &str) -> String {
    format!("outbox-sealed:{key}")
}

/// Writes `message` in the caller's transaction (see `flows::Work::send`).
pub async fn enqueue<'c>(
    db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    keys: &Keys,
    message: &Message,
    now: i64,
) -> AppResult<()> {
    let mut params = message.params.clone();
    if let Some(token) = &message.link_token {
        params.insert("link_token".into(), URL_SAFE_NO_PAD.encode(keys.seal(token.as_bytes(), LINK_PURPOSE)).into());
    }
    for (key, value) in &message.sealed {
        let sealed = keys.seal(value.as_bytes(), &sealed_purpose(key));
        params.insert(format!("sealed_{key}"), URL_SAFE_NO_PAD.encode(sealed).into());
    }
    sqlx::query(
        "INSERT INTO outbox (kind, user_id, params, to_address, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(message.kind.as_str())
    .bind(message.user_id)
    .bind(Value::Object(params).to_string())
    .bind(message.to_address.as_deref())
    .bind(now)
    .execute(db)
    .await?;
    Ok(())
}

/// The token sealed in a message's parameters, opened.
pub fn open_link_token(keys: &Keys, params: &Map<String, Value>) -> Option<String> {
    let sealed = URL_SAFE_NO_PAD.decode(params.get("link_token")?.as_str()?).ok()?;
    String::from_utf8(keys.open(&sealed, LINK_PURPOSE).ok()?).ok()
}

/// A parameter sealed with `Message::with_sealed`, opened.
pub fn open_sealed(keys: &Keys, params: &Map<String, Value>, key: &str) -> Option<String> {
    let sealed = URL_SAFE_NO_PAD.decode(params.get(&format!("sealed_{key}"))?.as_str()?).ok()?;
    String::from_utf8(keys.open(&sealed, &sealed_purpose(key)).ok()?).ok()
}

/// A claimed message, with where it goes.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: i64,
    pub kind: MessageKind,
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub params: Map<String, Value>,
    /// Deliveries tried before this one.
    pub attempts: i64,
    /// When the change it tells of committed.
    pub created_at: i64,
}

/// Why a delivery failed, for the row and the log (never the message's content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError(pub String);

pub type Delivery<'a> = Pin<Box<dyn Future<Output = Result<(), DeliveryError>> + Send + 'a>>;

/// Sends messages somewhere: the log, SMTP, an SMS gateway.
pub trait Deliverer: Send + Sync {
    fn deliver<'a>(&'a self, message: &'a Outgoing) -> Delivery<'a>;
}

/// The wait before the next try after `attempts` failed ones: 30 s,
/// doubling, at most an hour; a texted code, whose reader is waiting for
/// it, from 5 s to a minute; a logout token from 10 s to ten minutes.
pub fn backoff_secs(kind: MessageKind, attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 8) - 1;
    match kind.channel() {
        Channel::Mail => (30_i64 << doublings).min(3600),
        Channel::Sms => (5_i64 << doublings).min(60),
        // An application's server that was down: about twenty minutes of tries in all.
        Channel::Backchannel => (10_i64 << doublings).min(600),
    }
}

/// What one round of delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    pub delivered: usize,
    pub failed: usize,
}

/// Delivers up to `batch` due messages that this worker claims; `now` is the
/// worker's clock. Another worker's live claim is left alone.
pub async fn deliver_due(
    db: &Db,
    (now, worker): (i64, &str),
    (channel, deliverer): (Channel, &dyn Deliverer),
    batch: i64,
) -> AppResult<Round> {
    // The kinds are ours (`as_str`), never input: safe to list in the SQL.
    let kinds: Vec<String> =
        MessageKind::ALL.iter().filter(|k| k.channel() == channel).map(|k| format!("'{}'", k.as_str())).collect();
    let due = sqlx::query(&format!(
        "SELECT id FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
         AND (claimed_until IS NULL OR claimed_until < $1) AND kind IN ({}) ORDER BY id LIMIT $2",
        kinds.join(", ")
    ))
    .bind(now)
    .bind(batch)
    .fetch_all(db)
    .await?;
    let mut round = Round::default();
    for row in due {
        let id: i64 = row.try_get("id")?;
        if !claim(db, id, worker, now).await? {
            continue;
        }
        let Some(message) = load(db, id).await? else { continue };
        match deliverer.deliver(&message).await {
            Ok(()) => {
                settle(db, id, worker, Settled::Delivered { at: now }).await?;
                round.delivered += 1;
            }
            Err(DeliveryError(why)) => {
                tracing::warn!(message_id = id, kind = message.kind.as_str(), attempts = message.attempts + 1, error = %why, "a message could not be delivered");
                let attempts = message.attempts + 1;
                let next = now + backoff_secs(message.kind, attempts);
                let useless_by = message.kind.useful_for_secs().map(|secs| message.created_at + secs);
                let settled = if attempts >= MAX_ATTEMPTS || useless_by.is_some_and(|by| next >= by) {
                    Settled::GivenUp { at: now, why }
                } else {
                    Settled::Retry { at: next, why }
                };
                settle(db, id, worker, settled).await?;
                crate::server::meters::delivery_failed(channel.as_str());
                round.failed += 1;
            }
        }
    }
    Ok(round)
}

/// Takes the row for `worker` unless it is delivered or another claim is live: true once.
async fn claim(db: &Db, id: i64, worker: &str, now: i64) -> AppResult<bool> {
    let done = sqlx::query(
        "UPDATE outbox SET claimed_by = $1, claimed_until = $2 WHERE id = $3 \
         AND delivered_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until < $4)",
    )
    .bind(worker)
    .bind(now + CLAIM_SECS)
    .bind(id)
    .bind(now)
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

async fn load(db: &Db, id: i64) -> AppResult<Option<Outgoing>> {
    let row = sqlx::query(
        "SELECT o.kind, o.user_id, o.params, o.attempts, COALESCE(o.to_address, u.email) AS email, u.name, o.created_at FROM outbox o JOIN users u ON u.id = o.user_id \
         WHERE o.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let kind: String = row.try_get("kind")?;
    let Some(kind) = MessageKind::parse(&kind) else {
        // Written by a newer version: left for it.
        tracing::warn!(message_id = id, kind, "an outbox message of an unknown kind");
        return Ok(None);
    };
    let params: String = row.try_get("params")?;
    let params = match serde_json::from_str(&params) {
        Ok(Value::Object(map)) => map,
        _ => return Err(AppError::Internal),
    };
    Ok(Some(Outgoing {
        id,
        kind,
        user_id: row.try_get("user_id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        params,
        attempts: row.try_get("attempts")?,
        created_at: row.try_get("created_at")?,
    }))
}

enum Settled {
    Delivered { at: i64 },
    Retry { at: i64, why: String },
    GivenUp { at: i64, why: String },
}

/// Records how a claimed delivery ended, and lets go of the claim.
async fn settle(db: &Db, id: i64, worker: &str, settled: Settled) -> AppResult<()> {
    let (set, at, why) = match settled {
        Settled::Delivered { at } => ("delivered_at = $1", at, None),
        Settled::Retry { at, why } => ("attempts = attempts + 1, next_attempt_at = $1", at, Some(why)),
        Settled::GivenUp { at, why } => ("attempts = attempts + 1, failed_at = $1", at, Some(why)),
    };
    sqlx::query(&format!(
        "UPDATE outbox SET {set}, last_error = COALESCE($4, last_error), claimed_by = NULL, claimed_until = NULL \
         WHERE id = $2 AND claimed_by = $3"
    ))
    .bind(at)
    .bind(id)
    .bind(worker)
    .bind(why.map(|w| w.chars().take(500).collect::<String>()))
    .execute(db)
    .await?;
    Ok(())
}

/// A message as `portcullis mail list` shows it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub message: Outgoing,
    pub delivered_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub last_error: Option<String>,
}

/// The newest `limit` messages not yet delivered (or all of them, `all`), oldest first.
pub async fn list(db: &Db, all: bool, limit: i64) -> AppResult<Vec<Listed>> {
    let filter = if all { "" } else { "WHERE delivered_at IS NULL" };
    let rows = sqlx::query(&format!(
        "SELECT id, delivered_at, failed_at, last_error FROM outbox {filter} ORDER BY id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db)
    .await?;
    let mut listed = Vec::with_capacity(rows.len());
    for row in rows.iter().rev() {
        let Some(message) = load(db, row.try_get("id")?).await? else { continue };
        listed.push(Listed {
            message,
            delivered_at: row.try_get("delivered_at")?,
            failed_at: row.try_get("failed_at")?,
            last_error: row.try_get("last_error")?,
        });
    }
    Ok(listed)
}

/// How long a delivered or given-up message is kept (for `mail list`, and support).
pub const KEEP_SETTLED_SECS: i64 = 30 * 86_400;

/// Removes messages delivered or given up more than `KEEP_SETTLED_SECS` ago.
pub async fn delete_settled(db: &Db, now: i64) -> AppResult<u64> {
    let done = sqlx::query("DELETE FROM outbox WHERE COALESCE(delivered_at, failed_at) < $1")
        .bind(now - KEEP_SETTLED_SECS)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_half_a_minute_to_an_hour() {
        let mail = MessageKind::PasswordReset;
        assert_eq!(backoff_secs(mail, 1), 30);
        assert_eq!(backoff_secs(mail, 2), 60);
        assert_eq!(backoff_secs(mail, 5), 480);
        assert_eq!(backoff_secs(mail, 8), 3600);
        assert_eq!(backoff_secs(mail, 50), 3600);
        let code = MessageKind::SmsCode;
        assert_eq!([1, 2, 3, 4, 5, 9].map(|n| backoff_secs(code, n)), [5, 10, 20, 40, 60, 60]);
        let logout = MessageKind::BackchannelLogout;
        assert_eq!([1, 2, 7, 8].map(|n| backoff_secs(logout, n)), [10, 20, 600, 600]);
    }

    #[test]
    fn every_kind_reads_back_as_itself() {
        for kind in MessageKind::ALL {
            assert_eq!(MessageKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(MessageKind::parse("carrier_pigeon"), None);
    }
}

/// Messages waiting for delivery (not delivered, not given up), per channel: the backlog.
pub async fn backlog(db: &Db) -> AppResult<Vec<(Channel, i64)>> {
    let rows = sqlx::query(
        "SELECT kind, COUNT(*) AS n FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL GROUP BY kind",
    )
    .fetch_all(db)
    .await?;
    let mut backlog: Vec<(Channel, i64)> = Channel::ALL.iter().map(|c| (*c, 0)).collect();
    for row in &rows {
        let kind: String = row.try_get("kind")?;
        let Some(kind) = MessageKind::ALL.into_iter().find(|k| k.as_str() == kind) else { continue };
        if let Some(entry) = backlog.iter_mut().find(|(c, _)| *c == kind.channel()) {
            entry.1 += row.try_get::<i64, _>("n")?;
        }
    }
    Ok(backlog)
}
