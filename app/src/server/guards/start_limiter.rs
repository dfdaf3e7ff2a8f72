//! How many things one client address may start in a minute without an
//! account: authorization requests and passkey sign-ins. Nothing is stored
//! for them (their state is sealed into the handle), so this bounds only the
//! work one address can make the server do. Kept in memory: each instance
//! counts its own.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use crate::error::{AppError, AppResult};
use crate::server::guards::client_ip::address_key;

/// Far above what a person clicking (or an application retrying) makes.
pub const STARTS_PER_MINUTE: u32 = 120;
const WINDOW_SECS: i64 = 60;

#[derive(Clone, Default)]
pub struct StartLimiter {
    windows: Arc<Mutex<HashMap<IpAddr, (i64, u32)>>>,
}

impl StartLimiter {
    /// Counts one start from `ip`; refuses it (with the wait) over the limit.
    pub fn check(&self, ip: Option<IpAddr>, now: i64) -> AppResult<()> {
        let Some(ip) = ip else { return Ok(()) };
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now < *start + WINDOW_SECS);
        }
        let (start, count) = windows.entry(address_key(ip)).or_insert((now, 0));
        if now >= *start + WINDOW_SECS {
            (*start, *count) = (now, 0);
        }
        if *count >= STARTS_PER_MINUTE {
            return Err(AppError::RateLimited { retry_after_secs: (*start + WINDOW_SECS - now).max(1) as u64 });
        }
        *count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_starts_a_bounded_number_a_minute_and_others_are_unaffected() {
        let limiter = StartLimiter::default();
        let one: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..STARTS_PER_MINUTE {
            limiter.check(Some(one), 1_000).unwrap();
        }
        assert_eq!(limiter.check(Some(one), 1_030), Err(AppError::RateLimited { retry_after_secs: 30 }));
        assert!(limiter.check(Some("192.0.2.2".parse().unwrap()), 1_030).is_ok());
        assert!(limiter.check(Some(one), 1_060).is_ok(), "a new minute");
        assert!(limiter.check(None, 1_060).is_ok());
    }
}
