//! The closed-loop workers and what they record.

use super::*;

/// 2FA accounts waiting for their next login. A TOTP step is accepted once
/// per account, so an account is handed out only once the clock has moved
/// past the step it last used.
pub(crate) struct TwoFactorPool {
    pub(crate) idle: Mutex<VecDeque<TwoFactorUser>>,
}

impl TwoFactorPool {
    pub(crate) fn new(users: Vec<TwoFactorUser>) -> Self {
        Self { idle: Mutex::new(users.into()) }
    }

    pub(crate) fn take(&self, now_step: i64) -> Option<TwoFactorUser> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        // Returned in about the order used, so the front is nearly always the one.
        let position = idle.iter().position(|u| u.last_step < now_step)?;
        idle.remove(position)
    }

    pub(crate) fn give_back(&self, user: TwoFactorUser) {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).push_back(user);
    }
}

// ---------------------------------------------------------------------------
// The run

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// Index into the page paths.
    Page(usize),
    PasswordLogin,
    SecondFactorLogin,
}

pub(crate) struct RunContext {
    pub(crate) http: Http,
    pub(crate) page_paths: Vec<String>,
    pub(crate) owner_session: String,
    pub(crate) signed_in_marker: String,
    pub(crate) password_users: Vec<String>,
    pub(crate) pool: TwoFactorPool,
    /// Index 0: page, 1: password login, 2: second-factor login.
    pub(crate) mix: WeightedIndex<u32>,
}

#[derive(Default)]
pub(crate) struct Samples {
    /// Latencies of the successful requests.
    pub(crate) ok: Vec<Duration>,
    /// Failures by kind, with the count and one example.
    pub(crate) errors: BTreeMap<String, (usize, String)>,
}

impl Samples {
    pub(crate) fn error_count(&self) -> usize {
        self.errors.values().map(|(n, _)| n).sum()
    }

    pub(crate) fn merge(&mut self, other: Samples) {
        self.ok.extend(other.ok);
        for (key, (n, example)) in other.errors {
            self.errors.entry(key).or_insert((0, example)).0 += n;
        }
    }
}

#[derive(Default)]
pub(crate) struct Tally {
    pub(crate) by_kind: BTreeMap<Kind, Samples>,
    /// Time workers spent waiting for a 2FA account to become usable.
    pub(crate) pool_wait: Duration,
}

impl Tally {
    pub(crate) fn record(&mut self, kind: Kind, took: Duration, result: Result<(), Failure>) {
        let samples = self.by_kind.entry(kind).or_default();
        match result {
            Ok(()) => samples.ok.push(took),
            Err(failure) => samples.errors.entry(failure.key).or_insert((0, failure.example)).0 += 1,
        }
    }

    pub(crate) fn merge(&mut self, other: Tally) {
        for (kind, samples) in other.by_kind {
            self.by_kind.entry(kind).or_default().merge(samples);
        }
        self.pool_wait += other.pool_wait;
    }
}

/// Runs `concurrency` workers until `duration` has passed; requests in flight
/// then finish and count. Returns the tally and the time until the last one ended.
pub(crate) async fn run_mix(context: Arc<RunContext>, concurrency: usize, duration: Duration) -> (Tally, Duration) {
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> =
        (0..concurrency.max(1)).map(|id| tokio::spawn(worker(context.clone(), id, deadline))).collect();
    let mut tally = Tally::default();
    for worker in workers {
        match worker.await {
            Ok(t) => tally.merge(t),
            Err(e) => eprintln!("load: a worker failed: {e}"),
        }
    }
    (tally, started.elapsed())
}

pub(crate) async fn worker(context: Arc<RunContext>, id: usize, deadline: Instant) -> Tally {
    let mut rng = StdRng::from_entropy();
    let mut tally = Tally::default();
    // Each worker starts at another page, so all pages get an even share.
    let mut next_page = id;
    while Instant::now() < deadline {
        match context.mix.sample(&mut rng) {
            0 => {
                let page = next_page % context.page_paths.len();
                next_page += 1;
                let started = Instant::now();
                let result = page_load(&context, &context.page_paths[page]).await;
                tally.record(Kind::Page(page), started.elapsed(), result);
            }
            1 => {
                let email = &context.password_users[rng.gen_range(0..context.password_users.len())];
                let started = Instant::now();
                let result = password_login(&context.http, email).await;
                tally.record(Kind::PasswordLogin, started.elapsed(), result);
            }
            _ => {
                let Some(mut user) = context.pool.take(current_step()) else {
                    // Not an error: every account has logged in during this step.
                    tokio::time::sleep(POOL_RETRY).await;
                    tally.pool_wait += POOL_RETRY;
                    continue;
                };
                let started = Instant::now();
                let result = second_factor_login(&context.http, &mut user).await;
                tally.record(Kind::SecondFactorLogin, started.elapsed(), result);
                context.pool.give_back(user);
            }
        }
    }
    tally
}

pub(crate) async fn page_load(context: &RunContext, path: &str) -> Result<(), Failure> {
    let answer = context.http.page(path, &context.owner_session).await?;
    check_page(&answer, &context.signed_in_marker, path)
}

/// A fresh browser logging in to an account without 2FA.
pub(crate) async fn password_login(http: &Http, email: &str) -> Result<(), Failure> {
    let answer = http.call("log_in", &[("email", email), ("password", PASSWORD)], &[]).await?.expect_ok("log_in")?;
    if !answer.body.trim_start().starts_with("{\"LoggedIn\"") || answer.cookie(SESSION_COOKIE).is_none() {
        return Err(Failure::new("log_in: not logged in", snippet(&answer.body)));
    }
    Ok(())
}

/// A fresh browser logging in to a 2FA account: password, then the current code.
pub(crate) async fn second_factor_login(http: &Http, user: &mut TwoFactorUser) -> Result<(), Failure> {
    let answer =
        http.call("log_in", &[("email", &user.email), ("password", PASSWORD)], &[]).await?.expect_ok("log_in")?;
    let pending = answer
        .cookie(PENDING_COOKIE)
        .map(str::to_string)
        .ok_or_else(|| Failure::new("log_in: no second step", snippet(&answer.body)))?;
    // The step now, after the password wait: later than the account's last
    // (the pool saw to that), and current for the server on the same clock.
    let step = current_step().max(user.last_step + 1);
    let code = user.secret.code_at_step(step, 6);
    // Used once sent, whatever the answer: the server may have claimed it.
    user.last_step = step;
    let verified = http
        .call("verify_login", &[("code", &code)], &[(PENDING_COOKIE, &pending)])
        .await?
        .expect_ok("verify_login")?;
    if verified.cookie(SESSION_COOKIE).is_none() {
        return Err(Failure::new("verify_login: no session cookie", snippet(&verified.body)));
    }
    Ok(())
}
