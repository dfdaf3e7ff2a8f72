//! Time, injectable so tests of expiry and lockout are exact.
//!
//! The file-backed override exists only in debug builds: a release binary
//! always reads the system clock, and no request can change the source.

use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Default)]
pub enum Clock {
    #[default]
    System,
    /// Read from a file on every call, so a test can move time forward while
    /// the server runs: `@<unix seconds>` is a stopped clock (exact: a TOTP
    /// step never turns under a slow test), a bare number is an offset to
    /// the system time.
    #[cfg(debug_assertions)]
    OffsetFile(std::path::PathBuf),
}

impl Clock {
    /// Unix time in seconds.
    pub fn now(&self) -> i64 {
        let system = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
        match self {
            Clock::System => system,
            #[cfg(debug_assertions)]
            Clock::OffsetFile(path) => {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                match text.trim().strip_prefix('@') {
                    Some(stopped) => stopped.parse().unwrap_or(system),
                    None => system + text.trim().parse::<i64>().unwrap_or(0),
                }
            }
        }
    }
}
