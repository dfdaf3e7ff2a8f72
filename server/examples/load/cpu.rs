//! CPU accounting from Linux /proc (silently absent elsewhere).

use super::*;

/// Kernel clock ticks per second in /proc: 100 on every common Linux.
pub(crate) const TICKS_PER_SEC: f64 = 100.0;

pub(crate) struct CpuSnapshot {
    /// Busy and total ticks of the whole machine, over all cores.
    pub(crate) machine: Option<(u64, u64)>,
    pub(crate) server: Option<u64>,
    pub(crate) tool: Option<u64>,
}

pub(crate) struct CpuUse {
    pub(crate) wall: Duration,
    pub(crate) cores: usize,
    pub(crate) machine_busy: Option<f64>,
    pub(crate) server: Option<f64>,
    pub(crate) tool: Option<f64>,
}

impl CpuSnapshot {
    pub(crate) fn take(server_pid: Option<u32>) -> Self {
        Self {
            machine: machine_ticks(),
            server: server_pid.and_then(|pid| process_ticks(&pid.to_string())),
            tool: process_ticks("self"),
        }
    }

    pub(crate) fn since(&self, before: &CpuSnapshot, wall: Duration) -> Option<CpuUse> {
        let secs =
            |after: Option<u64>, before: Option<u64>| Some(after?.saturating_sub(before?) as f64 / TICKS_PER_SEC);
        let machine_busy = match (self.machine, before.machine) {
            (Some((busy, _)), Some((busy_before, _))) => Some(busy.saturating_sub(busy_before) as f64 / TICKS_PER_SEC),
            _ => None,
        };
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let usage = CpuUse {
            wall,
            cores,
            machine_busy,
            server: secs(self.server, before.server),
            tool: secs(self.tool, before.tool),
        };
        (usage.machine_busy.is_some() || usage.tool.is_some()).then_some(usage)
    }
}

impl CpuUse {
    pub(crate) fn print(&self, logins_per_sec: f64, argon2: &Argon2Figures) {
        let available = self.wall.as_secs_f64() * self.cores as f64;
        let part =
            |label: &str, secs: Option<f64>| secs.map(|s| format!("{label} {s:.1} ({:.0} %)", 100.0 * s / available));
        let argon2_secs = logins_per_sec * self.wall.as_secs_f64() * argon2.median.as_secs_f64();
        let others = match (self.machine_busy, self.server, self.tool) {
            (Some(m), Some(s), Some(t)) => Some((m - s - t).max(0.0)),
            _ => None,
        };
        let parts: Vec<String> = [
            part("machine busy", self.machine_busy),
            part("server", self.server),
            part("of which argon2 ~", Some(argon2_secs)),
            part("this tool", self.tool),
            part("other processes (e.g. PostgreSQL)", others),
        ]
        .into_iter()
        .flatten()
        .collect();
        println!(
            "CPU core-seconds of {available:.1} available ({} cores x {:.1} s): {}",
            self.cores,
            self.wall.as_secs_f64(),
            parts.join(", ")
        );
    }
}

/// (busy, total) ticks from the first line of /proc/stat.
pub(crate) fn machine_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    let total: u64 = fields.iter().take(8).sum();
    // idle and iowait are the 4th and 5th fields.
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

/// utime + stime of a process (and its finished children do not count).
pub(crate) fn process_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it are plain.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 here.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}
