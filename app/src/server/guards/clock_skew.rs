//! The server's own clock, watched through the codes people type: when many
//! accounts' codes match steps off the centre in the same direction, the
//! server's clock (not theirs) is the likely one off. A WARN names the
//! estimated offset, at most once an hour, and the metrics count every
//! off-centre code. Per instance, in memory: a hint for the operator, never a
//! rule (no code is accepted or refused because of it).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::server::meters;
use crate::twofactor::totp::STEP_SECS;

/// Accounts that must agree before the server is suspected.
const QUORUM: usize = 5;
const WINDOW_SECS: i64 = 3600;

#[derive(Default)]
struct Window {
    started: i64,
    /// The latest off-centre offset (in steps) of each account in this window.
    offsets: HashMap<i64, i64>,
    warned_at: Option<i64>,
}

static WINDOW: Mutex<Option<Window>> = Mutex::new(None);

/// A code that matched `offset_steps` away from now (accepted at ±1 or
/// refused further off); 0 is the centre and says nothing.
pub fn observe(user_id: i64, offset_steps: i64, now: i64) {
    if offset_steps == 0 {
        return;
    }
    let direction = if offset_steps > 0 { "ahead" } else { "behind" };
    meters::totp_off_centre(direction);
    let Ok(mut guard) = WINDOW.lock() else { return };
    let window = guard.get_or_insert_with(|| Window { started: now, ..Window::default() });
    if now - window.started >= WINDOW_SECS {
        let warned_at = window.warned_at;
        *window = Window { started: now, warned_at, ..Window::default() };
    }
    window.offsets.insert(user_id, offset_steps);
    let Some(offset) = server_offset(window.offsets.values().copied()) else { return };
    if window.warned_at.is_some_and(|at| now - at < WINDOW_SECS) {
        return;
    }
    window.warned_at = Some(now);
    let secs = offset * STEP_SECS as i64;
    meters::server_clock_offset(secs);
    tracing::warn!(
        accounts = window.offsets.len(),
        server_clock_offset_secs = secs,
        "the codes of many accounts match time steps off the centre in the same direction: this server's clock looks \
         {} s {}; check its time synchronisation (NTP)",
        secs.abs(),
        if secs > 0 { "behind" } else { "ahead" }
    );
}

/// When at least `QUORUM` accounts are off and four in five in the same
/// direction: their median offset, in steps (positive: the devices are
/// ahead, so the server is behind).
fn server_offset(offsets: impl Iterator<Item = i64>) -> Option<i64> {
    let mut offsets: Vec<i64> = offsets.collect();
    let ahead = offsets.iter().filter(|o| **o > 0).count();
    let behind = offsets.len() - ahead;
    if offsets.len() < QUORUM || ahead.max(behind) * 5 < offsets.len() * 4 {
        return None;
    }
    offsets.sort_unstable();
    Some(offsets[offsets.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_is_suspected_only_when_many_accounts_are_off_the_same_way() {
        assert_eq!(server_offset([3, 4, 4, 5].into_iter()), None, "four accounts are not enough");
        assert_eq!(server_offset([3, 4, 4, 5, 6].into_iter()), Some(4));
        assert_eq!(server_offset([-2, -2, -3, -1, -2, 4].into_iter()), Some(-2), "five in six agree");
        assert_eq!(server_offset([3, 4, -4, -5, 6].into_iter()), None, "no agreement: the devices, not the server");
    }
}
