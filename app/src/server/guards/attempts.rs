//! Guessing limits. Counters in the database, one per scope and subject (an
//! account's second factor, an account's password logins, an address's
//! failed logins, an address's sign-ups), so they hold across instances;
//! each attempt is reserved before the check by one conditional upsert, so
//! concurrent guesses cannot slip past. On top, a per-instance limit of
//! failed codes per address (`AddressLimiter`).

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use sqlx::Row;

use crate::error::{AppError, AppResult};
use crate::server::db::Db;
use crate::server::guards::client_ip::address_key;
use crate::twofactor::lockout::{self, Schedule};
use crate::twofactor::secret_box::Keys;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    SecondFactor,
    LoginAccount,
    LoginAddress,
    SignUpAddress,
    /// Failed client authentications at the token endpoint, per application.
    ClientAuth,
    /// Password reset mails asked for, per address typed and per client address.
    ResetAccount,
    ResetAddress,
    /// Verification mails asked for again, per account.
    VerifyMail,
    /// Codes texted: per account, per destination number, per client address.
    SmsAccount,
    SmsNumber,
    SmsAddress,
}

impl Scope {
    const ALL: [Scope; 11] = [
        Scope::SecondFactor,
        Scope::LoginAccount,
        Scope::LoginAddress,
        Scope::SignUpAddress,
        Scope::ClientAuth,
        Scope::ResetAccount,
        Scope::ResetAddress,
        Scope::VerifyMail,
        Scope::SmsAccount,
        Scope::SmsNumber,
        Scope::SmsAddress,
    ];

    fn name(self) -> &'static str {
        match self {
            Scope::SecondFactor => "second_factor",
            Scope::LoginAccount => "login_account",
            Scope::LoginAddress => "login_address",
            Scope::SignUpAddress => "sign_up_address",
            Scope::ClientAuth => "client_auth",
            Scope::ResetAccount => "reset_account",
            Scope::ResetAddress => "reset_address",
            Scope::VerifyMail => "verify_mail",
            Scope::SmsAccount => "sms_account",
            Scope::SmsNumber => "sms_number",
            Scope::SmsAddress => "sms_address",
        }
    }

    fn schedule(self) -> Schedule {
        match self {
            Scope::SecondFactor => lockout::SECOND_FACTOR,
            Scope::LoginAccount => lockout::LOGIN_ACCOUNT,
            Scope::LoginAddress => lockout::LOGIN_ADDRESS,
            Scope::SignUpAddress => lockout::SIGN_UP_ADDRESS,
            Scope::ClientAuth => lockout::CLIENT_AUTH,
            Scope::ResetAccount => lockout::RESET_ACCOUNT,
            Scope::ResetAddress => lockout::RESET_ADDRESS,
            Scope::VerifyMail => lockout::VERIFY_MAIL,
            Scope::SmsAccount => lockout::SMS_ACCOUNT,
            Scope::SmsNumber => lockout::SMS_NUMBER,
            Scope::SmsAddress => lockout::SMS_ADDRESS,
        }
    }
}

/// What is counted: a scope and its subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    scope: Scope,
    subject: String,
}

impl Counter {
    pub fn second_factor(user_id: i64) -> Self {
        Self { scope: Scope::SecondFactor, subject: user_id.to_string() }
    }

    /// By the email as typed (normalised), whether an account has it or not,
    /// so the counting does not tell which emails exist. Keyed-hashed: the
    /// table does not collect the emails people tried.
    pub fn login_account(keys: &Keys, email: &str) -> Self {
        let email: String = email.trim().to_lowercase().chars().take(300).collect();
        Self { scope: Scope::LoginAccount, subject: keys.lookup_hash(&format!("login:{email}")) }
    }

    pub fn login_address(ip: IpAddr) -> Self {
        Self { scope: Scope::LoginAddress, subject: address_key(ip).to_string() }
    }

    /// By the client id as presented (only for registered confidential clients)
    /// and the address the wrong secrets come from.
    pub fn client_auth(client_id: &str, ip: Option<IpAddr>) -> Self {
        let from = ip.map(|ip| address_key(ip).to_string()).unwrap_or_default();
        Self { scope: Scope::ClientAuth, subject: format!("{client_id} {from}") }
    }

    /// By the email as typed, keyed-hashed, as `login_account`.
    pub fn reset_account(keys: &Keys, email: &str) -> Self {
        let email: String = email.trim().to_lowercase().chars().take(300).collect();
        Self { scope: Scope::ResetAccount, subject: keys.lookup_hash(&format!("reset:{email}")) }
    }

    pub fn reset_address(ip: IpAddr) -> Self {
        Self { scope: Scope::ResetAddress, subject: address_key(ip).to_string() }
    }

    pub fn verify_mail(user_id: i64) -> Self {
        Self { scope: Scope::VerifyMail, subject: user_id.to_string() }
    }

    pub fn sms_account(user_id: i64) -> Self {
        Self { scope: Scope::SmsAccount, subject: user_id.to_string() }
    }

    /// By the number in E.164, keyed-hashed: the table does not collect numbers.
    pub fn sms_number(keys: &Keys, e164: &str) -> Self {
        Self { scope: Scope::SmsNumber, subject: keys.lookup_hash(&format!("sms-number:{e164}")) }
    }

    pub fn sms_address(ip: IpAddr) -> Self {
        Self { scope: Scope::SmsAddress, subject: address_key(ip).to_string() }
    }

    /// Which limit this is, for the security log and the operator's log.
    pub fn scope_name(&self) -> &'static str {
        self.scope.name()
    }

    pub fn sign_up_address(ip: IpAddr) -> Self {
        Self { scope: Scope::SignUpAddress, subject: address_key(ip).to_string() }
    }
}

/// `locked_until` for the failure count `new` (an SQL expression); `$3` is now.
fn lock_expression(schedule: &Schedule, new: &str) -> String {
    let mut sql = format!("CASE WHEN {new} < {} THEN 0", schedule.free);
    let mut failures = schedule.free;
    let mut last = 0;
    while let Some(delay) = schedule.delay_after(failures) {
        if delay == last {
            break;
        }
        let _ = write!(sql, " WHEN {new} = {failures} THEN $3 + {delay}");
        last = delay;
        failures += 1;
    }
    let _ = write!(sql, " ELSE $3 + {last} END");
    sql
}

/// One upsert: a first failure makes the row; later ones count on (or start
/// a new window), unless a wait is in force, when nothing is returned.
fn reserve_sql(schedule: &Schedule) -> String {
    let t = "attempt_counters";
    let fresh = format!("{t}.window_start + {} <= $3", schedule.window_secs);
    let new = format!("(CASE WHEN {fresh} THEN 1 ELSE {t}.failures + 1 END)");
    format!(
        "INSERT INTO {t} (scope, subject, failures, locked_until, window_start) VALUES ($1, $2, 1, 0, $3) \
         ON CONFLICT (scope, subject) DO UPDATE SET failures = {new}, \
         window_start = CASE WHEN {fresh} THEN $3 ELSE {t}.window_start END, locked_until = {} \
         WHERE {t}.locked_until <= $3 RETURNING locked_until",
        lock_expression(schedule, &new)
    )
}

/// An attempt taken from a counter's allowance. Counted as a failure unless
/// it is given back (`release`) or the counter is cleared (`succeeded`).
#[derive(Debug)]
#[must_use]
pub struct Reservation {
    counter: Counter,
    /// The wait this attempt started, if it was the one that reached it.
    locked_until: i64,
}

/// Takes one attempt from the allowance, or says how long to wait.
pub async fn reserve(db: &Db, counter: Counter, now: i64) -> AppResult<Reservation> {
    let row = sqlx::query(&reserve_sql(&counter.scope.schedule()))
        .bind(counter.scope.name())
        .bind(&counter.subject)
        .bind(now)
        .fetch_optional(db)
        .await?;
    if let Some(row) = row {
        return Ok(Reservation { locked_until: row.try_get("locked_until")?, counter });
    }
    let row = sqlx::query("SELECT locked_until FROM attempt_counters WHERE scope = $1 AND subject = $2")
        .bind(counter.scope.name())
        .bind(&counter.subject)
        .fetch_optional(db)
        .await?;
    let until: i64 = row.map(|r| r.try_get("locked_until")).transpose()?.unwrap_or(now);
    crate::server::meters::throttled(counter.scope.name());
    Err(AppError::RateLimited { retry_after_secs: (until - now).max(1) as u64 })
}

/// Whether the counter is in a wait now, without taking an attempt: for
/// checks whose guesses are hopeless anyway (256-bit client secrets), where
/// only failures are counted, after the check (`reserve`).
pub async fn waiting(db: &Db, counter: &Counter, now: i64) -> AppResult<Option<u64>> {
    let row = sqlx::query("SELECT locked_until FROM attempt_counters WHERE scope = $1 AND subject = $2")
        .bind(counter.scope.name())
        .bind(&counter.subject)
        .fetch_optional(db)
        .await?;
    let until: i64 = row.map(|r| r.try_get("locked_until")).transpose()?.unwrap_or(0);
    Ok((until > now).then(|| (until - now) as u64))
}

impl Reservation {
    /// True when this attempt, failed, started a wait (for the security log).
    pub fn locked(&self, now: i64) -> bool {
        self.locked_until > now
    }

    /// The attempt succeeded in a way that proves the subject: the count starts over.
    pub async fn succeeded<'c>(self, db: impl sqlx::Executor<'c, Database = sqlx::Any>) -> AppResult<()> {
        sqlx::query("UPDATE attempt_counters SET failures = 0, locked_until = 0 WHERE scope = $1 AND subject = $2")
            .bind(self.counter.scope.name())
            .bind(&self.counter.subject)
            .execute(db)
            .await?;
        Ok(())
    }

    /// The attempt was no failure, but proves too little to clear the count
    /// (a password alone, an enrollment code), or was never decided: it is
    /// given back, with the wait it started, and the failures stay.
    pub async fn release<'c>(self, db: impl sqlx::Executor<'c, Database = sqlx::Any>) -> AppResult<()> {
        sqlx::query(
            "UPDATE attempt_counters SET failures = failures - 1, \
             locked_until = CASE WHEN locked_until = $3 THEN 0 ELSE locked_until END \
             WHERE scope = $1 AND subject = $2 AND failures > 0",
        )
        .bind(self.counter.scope.name())
        .bind(&self.counter.subject)
        .bind(self.locked_until)
        .execute(db)
        .await?;
        Ok(())
    }
}

/// Counters whose window and wait are both over count nothing any more.
pub async fn delete_expired(db: &Db, now: i64) -> AppResult<u64> {
    let mut deleted = 0;
    for scope in Scope::ALL {
        let done =
            sqlx::query("DELETE FROM attempt_counters WHERE scope = $1 AND locked_until <= $2 AND window_start <= $3")
                .bind(scope.name())
                .bind(now)
                .bind(now - scope.schedule().window_secs)
                .execute(db)
                .await?;
        deleted += done.rows_affected();
    }
    Ok(deleted)
}

/// Failed second-factor codes per client address (an IPv6 /64) in a minute,
/// across accounts. Only failures count: an office behind one NAT address
/// logs in all morning without tripping it. Once over the limit, only the
/// accounts that have themselves failed from that address in this window are
/// refused: everyone else's code is still checked, so nobody's failures, made
/// up for the purpose or not, block another account's right code. A guessing
/// run over many accounts gets one try per account and window, on top of
/// each account's own lockout. Kept in memory: each instance counts its own;
/// the per-account counter is the one that holds across instances.
const FAILURES_PER_ADDRESS: u32 = 30;
const ADDRESS_WINDOW_SECS: i64 = 60;
/// Bounds the memory one address can take; accounts beyond it still have their own lockout.
const ACCOUNTS_PER_ADDRESS: usize = 10_000;

struct Window {
    start: i64,
    failures: u32,
    accounts: HashSet<i64>,
}

#[derive(Clone, Default)]
pub struct AddressLimiter {
    windows: Arc<Mutex<HashMap<IpAddr, Window>>>,
}

impl AddressLimiter {
    /// Refuses `user_id` while the address is over its limit and that account failed from it.
    pub fn check(&self, ip: Option<IpAddr>, user_id: i64, now: i64) -> AppResult<()> {
        let Some(ip) = ip else { return Ok(()) };
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        match windows.get(&address_key(ip)) {
            Some(w)
                if now < w.start + ADDRESS_WINDOW_SECS
                    && w.failures >= FAILURES_PER_ADDRESS
                    && w.accounts.contains(&user_id) =>
            {
                Err(AppError::RateLimited { retry_after_secs: (w.start + ADDRESS_WINDOW_SECS - now).max(1) as u64 })
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, ip: Option<IpAddr>, user_id: i64, now: i64) {
        let Some(ip) = ip else { return };
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 100_000 {
            windows.retain(|_, w| now < w.start + ADDRESS_WINDOW_SECS);
        }
        let fresh = || Window { start: now, failures: 0, accounts: HashSet::new() };
        let window = windows.entry(address_key(ip)).or_insert_with(fresh);
        if now >= window.start + ADDRESS_WINDOW_SECS {
            *window = fresh();
        }
        window.failures += 1;
        if window.accounts.len() < ACCOUNTS_PER_ADDRESS {
            window.accounts.insert(user_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_expression_follows_the_schedule() {
        let sql = lock_expression(&lockout::SECOND_FACTOR, "n");
        assert!(sql.starts_with("CASE WHEN n < 5 THEN 0"), "{sql}");
        assert!(sql.contains("WHEN n = 5 THEN $3 + 30"), "{sql}");
        assert!(sql.contains("WHEN n = 9 THEN $3 + 480"), "{sql}");
        assert!(sql.ends_with("ELSE $3 + 900 END"), "{sql}");
        let sql = lock_expression(&lockout::LOGIN_ADDRESS, "n");
        assert!(sql.starts_with("CASE WHEN n < 30 THEN 0 WHEN n = 30 THEN $3 + 30"), "{sql}");
    }

    #[test]
    fn login_counters_key_emails_by_a_keyed_hash_and_addresses_by_network() {
        let keys = Keys::new(&[7; 32]);
        let a = Counter::login_account(&keys, " Ann@Example.com ");
        assert_eq!(a, Counter::login_account(&keys, "ann@example.com"));
        assert!(!a.subject.contains("example"), "{a:?}");
        assert_ne!(a, Counter::login_account(&Keys::new(&[8; 32]), "ann@example.com"));
        let one = Counter::login_address("2001:db8:1:2:aaaa::1".parse().unwrap());
        assert_eq!(one, Counter::login_address("2001:db8:1:2:bbbb::9".parse().unwrap()));
        assert_ne!(one, Counter::login_address("2001:db8:1:3::1".parse().unwrap()));
    }

    #[test]
    fn an_address_over_its_limit_refuses_only_accounts_that_failed_from_it() {
        let limiter = AddressLimiter::default();
        let ip = Some("10.0.0.1".parse().unwrap());
        let (attacker, victim) = (1, 2);
        for _ in 0..FAILURES_PER_ADDRESS {
            limiter.check(ip, attacker, 120).unwrap();
            limiter.record_failure(ip, attacker, 120);
        }
        assert!(matches!(limiter.check(ip, attacker, 130), Err(AppError::RateLimited { retry_after_secs: 50 })));
        assert!(limiter.check(ip, victim, 130).is_ok(), "the victim's first try is always checked");
        limiter.record_failure(ip, victim, 130);
        assert!(limiter.check(ip, victim, 131).is_err(), "once failed from there, it waits too");
        assert!(limiter.check(Some("10.0.0.2".parse().unwrap()), attacker, 130).is_ok());
        assert!(limiter.check(ip, attacker, 180).is_ok(), "a new window");
    }

    #[test]
    fn an_ipv6_address_is_limited_by_its_64_network() {
        let limiter = AddressLimiter::default();
        for i in 0..FAILURES_PER_ADDRESS {
            limiter.record_failure(Some(format!("2001:db8::{i:x}").parse().unwrap()), 1, 0);
        }
        assert!(limiter.check(Some("2001:db8::ffff".parse().unwrap()), 1, 1).is_err());
        assert!(limiter.check(Some("2001:db8:0:1::1".parse().unwrap()), 1, 1).is_ok());
    }
}
