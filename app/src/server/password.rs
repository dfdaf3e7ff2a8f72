//! argon2id password hashing on a few dedicated threads, one per core, so a
//! burst of logins never starves the async workers serving pages, and each
//! thread keeps its 19 MiB of argon2 memory between hashes: a fresh allocation
//! costs a third again in page faults. The line in front of them is short
//! (`QUEUE_PER_THREAD`): when it is full a request is refused at once with
//! "busy", and a job whose caller has gone is dropped unhashed, so a flood of
//! abandoned requests cannot delay the next real login.

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash as ParsedHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::mpsc::TrySendError;
use std::sync::{mpsc, Arc, Mutex};
use subtle::ConstantTimeEq;
use tokio::sync::oneshot;

use crate::error::AppError;
use crate::server::meters;

/// A stored argon2 hash. Deliberately neither `Serialize` nor `Debug`-printing its content.
#[derive(Clone)]
pub struct PasswordHash(pub String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// Work for a hashing thread, given that thread's reusable argon2 memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

#[derive(Clone)]
pub struct PasswordHasher {
    /// The queue the hashing threads take from; they stop when the last clone is dropped.
    jobs: mpsc::SyncSender<Job>,
    /// Verified against when the email is unknown, so both cases cost one hash.
    dummy: Arc<PasswordHash>,
}

fn argon2() -> Argon2<'static> {
    // OWASP's recommended argon2id settings: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// `memory` grown to what `hasher` needs. Argon2 writes every block before
/// reading it, so what an earlier hash left there does not matter.
fn blocks<'m>(memory: &'m mut Vec<Block>, hasher: &Argon2<'_>) -> &'m mut [Block] {
    let needed = hasher.params().block_count();
    if memory.len() < needed {
        memory.resize(needed, Block::default());
    }
    &mut memory[..needed]
}

/// One argon2 run into `out`, on this thread's `memory`.
fn compute(hasher: &Argon2<'_>, password: &str, salt: Salt<'_>, out: &mut [u8], memory: &mut Vec<Block>) -> Option<()> {
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).ok()?;
    hasher.hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, blocks(memory, hasher)).ok()
}

fn hash_blocking(password: &str, memory: &mut Vec<Block>) -> Result<PasswordHash, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    let hasher = argon2();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(&hasher, password, salt.as_salt(), &mut out, memory).ok_or(AppError::Internal)?;
    let phc = ParsedHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(hasher.params()).map_err(|_| AppError::Internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|_| AppError::Internal)?),
    };
    Ok(PasswordHash(phc.to_string()))
}

/// What `argon2`'s `verify_password` does, with this thread's memory: the
/// algorithm, version, parameters and salt come from the stored hash.
fn verify_blocking(password: &str, hash: &PasswordHash, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = ParsedHash::new(&hash.0) else { return false };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else { return false };
    let Ok(version) = parsed.version.map(Version::try_from).transpose() else { return false };
    let Ok(params) = Params::try_from(&parsed) else { return false };
    let hasher = Argon2::new(algorithm, version.unwrap_or_default(), params);
    let mut out = vec![0u8; expected.len()];
    compute(&hasher, password, salt, &mut out, memory).is_some()
        && bool::from(out.as_slice().ct_eq(expected.as_bytes()))
}

/// Jobs that may wait per hashing thread: at ~15 ms a hash, a wait of about half a second.
pub const QUEUE_PER_THREAD: usize = 32;

/// How long a refused caller is told to wait.
const BUSY_RETRY_AFTER_SECS: u64 = 2;

fn spawn_hashing_threads(count: usize, queue_length: usize) -> Result<mpsc::SyncSender<Job>, AppError> {
    let (jobs, queue) = mpsc::sync_channel::<Job>(queue_length);
    let queue = Arc::new(Mutex::new(queue));
    for index in 0..count.max(1) {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{index}"))
            .spawn(move || {
                let mut memory = Vec::new();
                loop {
                    // The guard is a temporary: the lock is free again while the job runs.
                    let next = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = next else { return };
                    // A panicking job must not take a hashing thread with it; its
                    // caller sees the dropped reply as an internal error.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut memory)));
                }
            })
            .map_err(|_| AppError::Internal)?;
    }
    Ok(jobs)
}

impl PasswordHasher {
    /// `threads` hashes run at once (one per core); `QUEUE_PER_THREAD` per thread wait in line.
    pub fn new(threads: usize) -> Result<Self, AppError> {
        Self::with_queue(threads, threads.max(1) * QUEUE_PER_THREAD)
    }

    pub fn with_queue(threads: usize, queue_length: usize) -> Result<Self, AppError> {
        let dummy = hash_blocking("portcullis-dummy-password", &mut Vec::new())?;
        Ok(Self { jobs: spawn_hashing_threads(threads, queue_length)?, dummy: Arc::new(dummy) })
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let (reply, answer) = oneshot::channel();
        let queued_at = std::time::Instant::now();
        let job: Job = Box::new(move |memory| {
            meters::hashing_queued(-1.0);
            meters::hashing_waited(queued_at.elapsed().as_secs_f64());
            // The caller has gone (client disconnected, timed out): no one
            // wants this hash, and others are waiting.
            if reply.is_closed() {
                return;
            }
            let _ = reply.send(job(memory));
        });
        meters::hashing_queued(1.0);
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                meters::hashing_queued(-1.0);
                meters::hashing_busy();
                tracing::warn!("password hashing queue full: refusing a request");
                return Err(AppError::Busy { retry_after_secs: BUSY_RETRY_AFTER_SECS });
            }
            Err(TrySendError::Disconnected(_)) => return Err(AppError::Internal),
        }
        answer.await.map_err(|_| AppError::Internal)
    }

    #[tracing::instrument(skip_all)]
    pub async fn hash(&self, password: String) -> Result<PasswordHash, AppError> {
        self.run(move |memory| hash_blocking(&password, memory)).await?
    }

    /// Checks `password` against `hash`, or against a dummy when there is no
    /// account, so timing does not tell whether an email is registered.
    #[tracing::instrument(skip_all)]
    pub async fn verify(&self, password: String, hash: Option<PasswordHash>) -> Result<bool, AppError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| (*self.dummy).clone());
        let ok = self.run(move |memory| verify_blocking(&password, &hash, memory)).await?;
        Ok(ok && known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let hasher = PasswordHasher::new(2).unwrap();
        let hash = hasher.hash("correct horse".into()).await.unwrap();
        assert!(hash.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify("correct horse".into(), Some(hash.clone())).await.unwrap());
        assert!(!hasher.verify("wrong horse".into(), Some(hash)).await.unwrap());
        assert!(!hasher.verify("portcullis-dummy-password".into(), None).await.unwrap());
    }

    /// The reused memory must give what the `argon2` crate's own hashing and
    /// verifying give, for our hashes and for hashes with other parameters.
    #[tokio::test]
    async fn agrees_with_the_argon2_crate_across_reuses_of_one_threads_memory() {
        use argon2::{PasswordHasher as _, PasswordVerifier as _};
        let hasher = PasswordHasher::new(1).unwrap();

        let ours = hasher.hash("first password".into()).await.unwrap();
        let parsed = ParsedHash::new(&ours.0).unwrap();
        assert!(argon2().verify_password(b"first password", &parsed).is_ok());
        assert!(argon2().verify_password(b"other password", &parsed).is_err());

        let smaller = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8_192, 3, 1, Some(24)).unwrap());
        let larger = Argon2::new(Algorithm::Argon2i, Version::V0x10, Params::new(32_768, 1, 2, None).unwrap());
        for (argon, password) in [(smaller, "second password"), (larger, "third password")] {
            let salt = SaltString::generate(&mut OsRng);
            let theirs = PasswordHash(argon.hash_password(password.as_bytes(), &salt).unwrap().to_string());
            assert!(hasher.verify(password.into(), Some(theirs.clone())).await.unwrap());
            assert!(!hasher.verify(format!("{password}!"), Some(theirs)).await.unwrap());
        }
        // After a larger hash filled the memory, a smaller one still matches.
        assert!(hasher.verify("first password".into(), Some(ours)).await.unwrap());
        assert!(!hasher.verify("first password".into(), Some(PasswordHash("$argon2id$garbage".into()))).await.unwrap());
    }

    /// A hashing thread held until the returned sender is dropped or sent to.
    async fn occupy(
        hasher: &PasswordHasher,
    ) -> (std::sync::mpsc::Sender<()>, tokio::task::JoinHandle<Result<(), AppError>>) {
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = oneshot::channel::<()>();
        let hasher = hasher.clone();
        let task = tokio::spawn(async move {
            hasher
                .run(move |_| {
                    let _ = started.send(());
                    let _ = held.recv();
                })
                .await
        });
        running.await.unwrap();
        (release, task)
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_with_a_retry_after() {
        let hasher = PasswordHasher::with_queue(1, 2).unwrap();
        let (release, busy) = occupy(&hasher).await;
        let waiting: Vec<_> = (0..2)
            .map(|_| {
                tokio::spawn({
                    let h = hasher.clone();
                    async move { h.hash("queued".into()).await }
                })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let refused = tokio::time::timeout(std::time::Duration::from_secs(1), hasher.hash("one too many".into())).await;
        assert!(
            matches!(refused, Ok(Err(AppError::Busy { retry_after_secs: 2 }))),
            "refused without waiting: {refused:?}"
        );
        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
        for queued in waiting {
            assert!(queued.await.unwrap().is_ok(), "those in line are served");
        }
        assert!(hasher.hash("room again".into()).await.is_ok());
    }

    #[tokio::test]
    async fn jobs_whose_caller_left_are_dropped_unhashed() {
        let hasher = PasswordHasher::with_queue(1, 100).unwrap();
        let (release, busy) = occupy(&hasher).await;
        let ran = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        for _ in 0..50 {
            let ran = ran.clone();
            let job = hasher.run(move |_| ran.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
            // The client gives up after a moment: its request future is dropped.
            assert!(tokio::time::timeout(std::time::Duration::from_millis(1), job).await.is_err());
        }
        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
        let hash = hasher.hash("the next real login".into()).await.unwrap();
        assert!(hasher.verify("the next real login".into(), Some(hash)).await.unwrap());
        assert_eq!(ran.load(std::sync::atomic::Ordering::SeqCst), 0, "no abandoned job ran");
    }

    #[tokio::test]
    async fn a_panicking_job_fails_its_caller_and_keeps_the_thread() {
        let hasher = PasswordHasher::new(1).unwrap();
        let failed: Result<(), AppError> = hasher.run(|_| panic!("boom")).await;
        assert!(matches!(failed, Err(AppError::Internal)));
        let hash = hasher.hash("still here".into()).await.unwrap();
        assert!(hasher.verify("still here".into(), Some(hash)).await.unwrap());
    }
}

/// The most common passwords (zxcvbn's list), lowercased; those shorter than
/// the minimum are refused for their length anyway.
static COMMON: std::sync::LazyLock<std::collections::HashSet<&'static str>> = std::sync::LazyLock::new(|| {
    include_str!("common_passwords.txt").lines().filter(|line| !line.starts_with('#') && !line.is_empty()).collect()
});

/// The rule for a new password (sign-up, change, reset): its length, and not
/// one of the most common passwords, which attackers try first.
pub fn check_new(raw: &str) -> Result<(), AppError> {
    crate::validate::new_password(raw)?;
    if COMMON.contains(raw.to_lowercase().as_str()) {
        return Err(crate::server::refusals::Refused::CommonPassword.into());
    }
    Ok(())
}

#[cfg(test)]
mod common_password_tests {
    use super::check_new;

    #[test]
    fn a_common_password_is_refused_whatever_its_case_and_a_passphrase_is_not() {
        assert!(check_new("password1").is_err());
        assert!(check_new("Iloveyou1").is_err());
        assert!(check_new("PASSWORD1").is_err(), "compared lowercased");
        assert!(check_new("correct horse battery").is_ok());
        assert!(check_new("short").is_err(), "the length rule first");
    }
}
