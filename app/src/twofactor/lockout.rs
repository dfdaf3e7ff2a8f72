//! Softlock after repeated second-factor failures. The counter lives in the
//! database (per account: across sessions, addresses and restarts); this
//! module only says how long an account waits.

pub const FREE_ATTEMPTS: i64 = 5;
const FIRST_DELAY_SECS: i64 = 30;
const MAX_DELAY_SECS: i64 = 15 * 60;

/// After `failures` consecutive failures, how long further tries are refused.
/// The 5th failure locks for 30 s, each further one doubles it, up to 15 minutes.
pub fn delay_after(failures: i64) -> Option<i64> {
    if failures < FREE_ATTEMPTS {
        return None;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(10) as u32;
    Some((FIRST_DELAY_SECS << doublings).min(MAX_DELAY_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_failures_are_free_then_the_delay_doubles_to_a_cap() {
        for f in 0..5 {
            assert_eq!(delay_after(f), None);
        }
        let delays: Vec<_> = (5..12).map(|f| delay_after(f).unwrap()).collect();
        assert_eq!(delays, [30, 60, 120, 240, 480, 900, 900]);
        assert_eq!(delay_after(1_000), Some(900));
    }
}
