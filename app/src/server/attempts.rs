//! Second-factor guessing limits: a per-account counter in the database that
//! every code check and re-authentication passes through, and a per-address
//! limit in memory on top.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use sqlx::Row;

use super::db::Db;
use crate::error::{AppError, AppResult};
use crate::twofactor::lockout::{FREE_ATTEMPTS, delay_after};

/// `locked_until` for the failure count the UPDATE is about to write.
fn lock_expression() -> String {
    let mut sql = format!("CASE WHEN failures + 1 < {FREE_ATTEMPTS} THEN 0");
    let mut failures = FREE_ATTEMPTS;
    let mut last = 0;
    while let Some(delay) = delay_after(failures) {
        if delay == last {
            break;
        }
        sql.push_str(&format!(" WHEN failures + 1 = {failures} THEN $2 + {delay}"));
        last = delay;
        failures += 1;
    }
    sql.push_str(&format!(" ELSE $2 + {last} END"));
    sql
}

/// Takes one attempt from the account's allowance, or says how long to wait.
/// Counting happens before checking, in one conditional UPDATE, so that
/// concurrent guesses cannot slip past the limit. A success calls `succeeded`.
pub async fn reserve(db: &Db, user_id: i64, now: i64) -> AppResult<()> {
    sqlx::query("INSERT INTO second_factor_attempts (user_id, failures, locked_until) VALUES ($1, 0, 0) ON CONFLICT (user_id) DO NOTHING")
        .bind(user_id)
        .execute(db)
        .await?;
    let sql = format!(
        "UPDATE second_factor_attempts SET failures = failures + 1, locked_until = {} WHERE user_id = $1 AND locked_until <= $2",
        lock_expression()
    );
    let done = sqlx::query(&sql).bind(user_id).bind(now).execute(db).await?;
    if done.rows_affected() == 1 {
        return Ok(());
    }
    let row = sqlx::query("SELECT locked_until FROM second_factor_attempts WHERE user_id = $1").bind(user_id).fetch_one(db).await?;
    let until: i64 = row.try_get("locked_until")?;
    Err(AppError::RateLimited { retry_after_secs: (until - now).max(1) as u64 })
}

pub async fn succeeded(db: &Db, user_id: i64) -> AppResult<()> {
    sqlx::query("UPDATE second_factor_attempts SET failures = 0, locked_until = 0 WHERE user_id = $1").bind(user_id).execute(db).await?;
    Ok(())
}

/// True when this failure has just locked the account (for the security log).
pub async fn is_locked(db: &Db, user_id: i64, now: i64) -> AppResult<bool> {
    let row = sqlx::query("SELECT locked_until FROM second_factor_attempts WHERE user_id = $1").bind(user_id).fetch_optional(db).await?;
    Ok(row.map(|r| r.try_get::<i64, _>("locked_until")).transpose()?.is_some_and(|until| until > now))
}

/// Failed second-factor attempts per client address per minute, across all
/// accounts. Only failures count: an office behind one NAT address logs in
/// all morning without tripping it, a guessing run spread over accounts does.
/// Kept in memory, so each instance counts its own; the per-account counter
/// above is the one that holds across instances.
const FAILURES_PER_ADDRESS_PER_MINUTE: u32 = 30;

#[derive(Clone, Default)]
pub struct AddressLimiter {
    windows: Arc<Mutex<HashMap<IpAddr, (i64, u32)>>>,
}

impl AddressLimiter {
    /// Refuses while the address has used up this minute's failures.
    pub fn check(&self, ip: Option<IpAddr>, now: i64) -> AppResult<()> {
        let Some(ip) = ip else { return Ok(()) };
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        match windows.get(&ip) {
            Some(&(minute, failures)) if minute == now.div_euclid(60) && failures >= FAILURES_PER_ADDRESS_PER_MINUTE => {
                Err(AppError::RateLimited { retry_after_secs: (60 - now.rem_euclid(60)).max(1) as u64 })
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, ip: Option<IpAddr>, now: i64) {
        let Some(ip) = ip else { return };
        let minute = now.div_euclid(60);
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 100_000 {
            windows.retain(|_, (m, _)| *m == minute);
        }
        let entry = windows.entry(ip).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_expression_follows_the_schedule() {
        let sql = lock_expression();
        assert!(sql.contains("WHEN failures + 1 = 5 THEN $2 + 30"), "{sql}");
        assert!(sql.contains("WHEN failures + 1 = 9 THEN $2 + 480"), "{sql}");
        assert!(sql.ends_with("ELSE $2 + 900 END"), "{sql}");
    }

    #[test]
    fn address_limit_counts_failures_and_resets_each_minute() {
        let limiter = AddressLimiter::default();
        let ip = Some("10.0.0.1".parse().unwrap());
        for _ in 0..100 {
            limiter.check(ip, 120).unwrap();
        }
        for _ in 0..FAILURES_PER_ADDRESS_PER_MINUTE {
            limiter.check(ip, 120).unwrap();
            limiter.record_failure(ip, 120);
        }
        assert!(matches!(limiter.check(ip, 130), Err(AppError::RateLimited { retry_after_secs: 50 })));
        assert!(limiter.check(Some("10.0.0.2".parse().unwrap()), 130).is_ok());
        assert!(limiter.check(ip, 180).is_ok());
    }
}
