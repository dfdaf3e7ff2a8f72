//! The bare argon2 verify time on this machine and the login limit it sets.

use super::*;

pub(crate) struct Argon2Figures {
    /// Median of sequential verifies: the bare cost of one login's hash.
    pub(crate) median: Duration,
    pub(crate) min: Duration,
    pub(crate) max: Duration,
    pub(crate) runs: usize,
    pub(crate) cores: usize,
    /// Verifies per second with `cores` running at once, as under load.
    pub(crate) parallel_per_sec: f64,
}

impl Argon2Figures {
    /// The physical limit: every core doing nothing but argon2.
    pub(crate) fn limit_per_sec(&self) -> f64 {
        self.cores as f64 / self.median.as_secs_f64()
    }

    /// Of two measurements, the faster one: a busy moment on a shared machine
    /// must not make the limit look lower than it is.
    pub(crate) fn faster(self, other: Self) -> Self {
        let parallel_per_sec = self.parallel_per_sec.max(other.parallel_per_sec);
        let faster = if other.median < self.median { other } else { self };
        Self { parallel_per_sec, ..faster }
    }

    pub(crate) fn print(&self) {
        println!(
            "argon2id verify (the server's PasswordHasher: m=19456 KiB, t=2, p=1): median {} over {} runs (min {}, max {})",
            ms(self.median),
            self.runs,
            ms(self.min),
            ms(self.max)
        );
        println!(
            "cores: {} -> limit = cores / argon2 time = {:.1} logins/s  ({} verifies at once measured {:.1}/s)",
            self.cores,
            self.limit_per_sec(),
            self.cores,
            self.parallel_per_sec
        );
    }
}

pub(crate) async fn measure_argon2(runs: usize) -> Result<Argon2Figures, String> {
    let runs = runs.max(1);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    // Exactly as server/src/main.rs builds it: one hashing thread per core.
    let hasher = PasswordHasher::new(cores).map_err(|e| format!("argon2 hasher: {e}"))?;
    let hash = hasher.hash(PASSWORD.to_string()).await.map_err(|e| format!("argon2 hash: {e}"))?;

    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let ok =
            hasher.verify(PASSWORD.to_string(), Some(hash.clone())).await.map_err(|e| format!("argon2 verify: {e}"))?;
        times.push(started.elapsed());
        if !ok {
            return Err("argon2 verify rejected the right password".into());
        }
    }
    times.sort();

    let parallel_per_sec = measure_parallel_verifies(&hasher, &hash, cores, runs).await?;
    Ok(Argon2Figures {
        median: percentile(&times, 0.5),
        min: times[0],
        max: times[times.len() - 1],
        runs,
        cores,
        parallel_per_sec,
    })
}

/// Verifies per second when all cores hash at once: shows whether the cores
/// really scale (shared caches, memory bandwidth, hyperthreads, turbo).
pub(crate) async fn measure_parallel_verifies(
    hasher: &PasswordHasher,
    hash: &PasswordHash,
    cores: usize,
    rounds: usize,
) -> Result<f64, String> {
    let total = cores * rounds.max(1);
    let started = Instant::now();
    futures::stream::iter(0..total)
        .map(|_| hasher.verify(PASSWORD.to_string(), Some(hash.clone())))
        .buffer_unordered(cores)
        .try_collect::<Vec<bool>>()
        .await
        .map_err(|e| format!("argon2 verify: {e}"))?;
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// Enough 2FA accounts that the pool never runs dry even if every login ran
/// at the limit: each account serves one login per TOTP step.
pub(crate) fn two_factor_users_needed(args: &Args, limit_per_sec: f64) -> usize {
    let logins = args.password_logins + args.second_factor_logins;
    if args.second_factor_logins == 0 || logins == 0 {
        return 0;
    }
    let share = f64::from(args.second_factor_logins) / f64::from(logins);
    let per_step = limit_per_sec * share * STEP_SECS as f64;
    // Half again as many for bursts, plus the ones in flight.
    (per_step * 1.5).ceil() as usize + args.concurrency
}
