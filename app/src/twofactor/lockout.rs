//! Escalating waits after repeated failures. The counters live in the
//! database (`server::attempts`: per account, per address, across sessions,
//! instances and restarts); this module only says how long one waits.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Failures before the first wait; the failure that reaches it starts the wait.
    pub free: i64,
    pub first_delay_secs: i64,
    /// The cap: however long someone keeps failing, no wait is longer, so a
    /// guesser can slow an account's owner down but never shut them out for good.
    pub max_delay_secs: i64,
    /// Failures older than this (counted from the window's first) are forgotten.
    pub window_secs: i64,
}

impl Schedule {
    /// After `failures` failures, how long further tries are refused: from
    /// the `free`th on, `first_delay_secs`, doubling with each further one, up to the cap.
    pub fn delay_after(&self, failures: i64) -> Option<i64> {
        if failures < self.free {
            return None;
        }
        let doublings = (failures - self.free).min(20) as u32;
        Some(self.first_delay_secs.saturating_mul(1 << doublings).min(self.max_delay_secs))
    }
}

/// Second-factor codes and re-authentications, per account: cleared only by a
/// correct second factor of the account's own.
pub const SECOND_FACTOR: Schedule =
    Schedule { free: 5, first_delay_secs: 30, max_delay_secs: 15 * 60, window_secs: 24 * 3600 };

/// Password logins, per account (known or not: an unknown email is counted the same way).
pub const LOGIN_ACCOUNT: Schedule =
    Schedule { free: 5, first_delay_secs: 30, max_delay_secs: 15 * 60, window_secs: 24 * 3600 };

/// Failed client authentications (a wrong client secret) at the token
/// endpoint, per application: secrets have 256 bits, so this only keeps a
/// misconfigured or hostile caller from hammering the endpoint.
pub const CLIENT_AUTH: Schedule =
    Schedule { free: 20, first_delay_secs: 30, max_delay_secs: 15 * 60, window_secs: 3600 };

/// Failed password logins per client address, across accounts (password spraying).
pub const LOGIN_ADDRESS: Schedule =
    Schedule { free: 30, first_delay_secs: 30, max_delay_secs: 15 * 60, window_secs: 3600 };

/// Sign-ups per client address, successful or not: each costs a hash and makes an account.
pub const SIGN_UP_ADDRESS: Schedule =
    Schedule { free: 20, first_delay_secs: 60, max_delay_secs: 15 * 60, window_secs: 3600 };

/// Password reset mails per address typed (an account's or not, counted the
/// same): a mailbox is not flooded, and the answer does not tell which exist.
pub const RESET_ACCOUNT: Schedule =
    Schedule { free: 3, first_delay_secs: 15 * 60, max_delay_secs: 3600, window_secs: 3600 };

/// Password reset requests per client address, across accounts.
pub const RESET_ADDRESS: Schedule =
    Schedule { free: 20, first_delay_secs: 60, max_delay_secs: 15 * 60, window_secs: 3600 };

/// Verification mails an account asks for again.
pub const VERIFY_MAIL: Schedule = Schedule { free: 5, first_delay_secs: 300, max_delay_secs: 3600, window_secs: 3600 };

/// Codes texted per account: a sign-in needs one or two (and "Send the code
/// again" waits a minute), so five an hour is room for mistakes, not for a pump.
pub const SMS_ACCOUNT: Schedule = Schedule { free: 5, first_delay_secs: 3600, max_delay_secs: 3600, window_secs: 3600 };

/// Codes texted per destination number, across accounts: toll fraud registers
/// many accounts onto one premium number; ten a day is more than one person needs.
pub const SMS_NUMBER: Schedule =
    Schedule { free: 10, first_delay_secs: 24 * 3600, max_delay_secs: 24 * 3600, window_secs: 24 * 3600 };

/// Codes texted at the request of one client address (an office's NAT is many people).
pub const SMS_ADDRESS: Schedule =
    Schedule { free: 30, first_delay_secs: 3600, max_delay_secs: 3600, window_secs: 3600 };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_failures_are_free_then_the_delay_doubles_to_a_cap() {
        for f in 0..5 {
            assert_eq!(SECOND_FACTOR.delay_after(f), None);
        }
        let delays: Vec<_> = (5..12).map(|f| SECOND_FACTOR.delay_after(f).unwrap()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 900, 900]);
        assert_eq!(SECOND_FACTOR.delay_after(1_000), Some(900));
    }

    #[test]
    fn no_schedule_makes_anyone_wait_longer_than_fifteen_minutes() {
        for schedule in [SECOND_FACTOR, LOGIN_ACCOUNT, LOGIN_ADDRESS, SIGN_UP_ADDRESS] {
            assert_eq!(schedule.delay_after(schedule.free - 1), None);
            assert_eq!(schedule.delay_after(schedule.free), Some(schedule.first_delay_secs));
            assert_eq!(schedule.delay_after(i64::MAX), Some(15 * 60));
        }
    }
}
