//! Time, injectable so tests of expiry and lockout are exact.
//!
//! The file-backed override exists only in debug builds: a release binary
//! always reads the system clock, and no request can change the source.

use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, Default)]
pub enum Clock {
    #[default]
    System,
    /// Seconds to add to the system time, read from a file on every call,
    /// so a test can move time forward while the server runs.
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
                let offset = std::fs::read_to_string(path).ok().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or(0);
                system + offset
            }
        }
    }
}
