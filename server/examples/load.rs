//! Load test for a running Portcullis: a mix of signed-in page loads,
//! password logins and second-factor (TOTP) logins at a fixed concurrency for
//! a fixed time, with throughput, p50, p99 and errors per kind.
//!
//! Every login costs the server one argon2id verify, so logins per second are
//! bounded by `cores / argon2 time`. The tool measures that bare verify time
//! first (with the server's own `PasswordHasher`, so the parameters are the
//! production ones) and reports the login rate as a fraction of the limit.
//! The limit only means something when the tool runs on the server's machine.
//!
//! Run it through `scripts/load.sh`, which builds and starts a server per
//! backend, or by hand against a server you started:
//! `cargo run --release -p server --example load -- --url http://127.0.0.1:3000`.

use std::collections::{BTreeMap, VecDeque};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use app::server::PasswordHasher;
use app::server::password::PasswordHash;
use app::twofactor::totp::{STEP_SECS, TotpSecret, step_of};
use clap::Parser;
use futures::{StreamExt, TryStreamExt};
use rand::distributions::{Distribution, WeightedIndex};
use rand::{Rng, SeedableRng, rngs::StdRng};
use reqwest::StatusCode;

/// The figures the requirement asks for.
const TARGET_SHARE_OF_LIMIT: f64 = 0.90;
const TARGET_PAGE_P99: Duration = Duration::from_millis(50);

const PASSWORD: &str = "load test password 1";
const SESSION_COOKIE: &str = "portcullis_session";
const PENDING_COOKIE: &str = "portcullis_pending";
/// How long a worker sleeps when no 2FA account may log in again yet.
const POOL_RETRY: Duration = Duration::from_millis(100);

#[derive(Parser, Debug)]
#[command(about = "Load test a running Portcullis: page loads, password logins and second-factor logins")]
struct Args {
    /// The server to load (on this machine: the argon2 limit is measured here).
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    url: String,
    /// Seconds of load.
    #[arg(long, default_value_t = 30)]
    duration: u64,
    /// Requests in flight at once (closed loop: each worker waits for its answer).
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Weight of signed-in page loads in the mix.
    #[arg(long, default_value_t = 50)]
    pages: u32,
    /// Weight of password logins (accounts without 2FA) in the mix.
    #[arg(long, default_value_t = 25)]
    password_logins: u32,
    /// Weight of second-factor logins (password, then a TOTP code) in the mix.
    #[arg(long, default_value_t = 25)]
    second_factor_logins: u32,
    /// Accounts without 2FA to seed; one account may log in any number of times.
    #[arg(long, default_value_t = 50)]
    password_users: usize,
    /// Accounts with 2FA to seed. Each may log in once per 30-second TOTP step
    /// (replay protection), so the default derives from the measured argon2 limit.
    #[arg(long)]
    two_factor_users: Option<usize>,
    /// Seeding requests in flight at once.
    #[arg(long, default_value_t = 8)]
    seed_concurrency: usize,
    /// Sequential argon2 verifies for the median.
    #[arg(long, default_value_t = 20)]
    argon2_runs: usize,
    /// The server's process id, to report its CPU time during the run (Linux).
    #[arg(long)]
    server_pid: Option<u32>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("load: {message}");
            ExitCode::from(2)
        }
    }
}

/// Returns whether every request succeeded.
async fn run(args: Args) -> Result<bool, String> {
    let weights = [args.pages, args.password_logins, args.second_factor_logins];
    let mix = WeightedIndex::new(weights).map_err(|e| format!("the mix weights {weights:?} are unusable: {e}"))?;
    let http = Http::new(&args.url, args.concurrency.max(args.seed_concurrency))?;
    http.wait_until_ready().await?;
    println!("Portcullis load test against {}", args.url);

    // Measured first, while the machine is quiet.
    let argon2 = measure_argon2(args.argon2_runs).await?;
    argon2.print();

    let two_factor_users = args.two_factor_users.unwrap_or_else(|| two_factor_users_needed(&args, argon2.limit_per_sec()));
    let seeding_started = Instant::now();
    let seeded = seed(&http, &args, two_factor_users).await?;
    let seeding = seeding_started.elapsed();
    println!(
        "\nseeding: {} password users, {} 2FA users (enrolled), 1 org owner with {} members: {:.1} s",
        seeded.password_users.len(),
        two_factor_users,
        seeded.members,
        seeding.as_secs_f64()
    );

    let page_paths = seeded.page_paths();
    print_idle_page_times(&http, &seeded, &page_paths).await?;

    println!(
        "\nrunning {} s at concurrency {}, mix: pages {} / password logins {} / second-factor logins {}",
        args.duration, args.concurrency, args.pages, args.password_logins, args.second_factor_logins
    );
    let context = Arc::new(RunContext {
        http: http.clone(),
        page_paths,
        owner_session: seeded.owner_session.clone(),
        signed_in_marker: seeded.org_name.clone(),
        password_users: seeded.password_users.clone(),
        pool: TwoFactorPool::new(seeded.two_factor_users),
        mix,
    });
    let cpu_before = CpuSnapshot::take(args.server_pid);
    let (tally, elapsed) = run_mix(context.clone(), args.concurrency, Duration::from_secs(args.duration)).await;
    let cpu = CpuSnapshot::take(args.server_pid).since(&cpu_before, elapsed);

    let report = Report { tally: &tally, elapsed, page_paths: &context.page_paths, argon2: &argon2 };
    report.print();
    if let Some(cpu) = cpu {
        cpu.print(report.logins(), &argon2);
    }
    Ok(report.print_verdict())
}

// ---------------------------------------------------------------------------
// argon2

struct Argon2Figures {
    /// Median of sequential verifies: the bare cost of one login's hash.
    median: Duration,
    min: Duration,
    max: Duration,
    runs: usize,
    cores: usize,
    /// Verifies per second with `cores` running at once, as under load.
    parallel_per_sec: f64,
}

impl Argon2Figures {
    /// The physical limit: every core doing nothing but argon2.
    fn limit_per_sec(&self) -> f64 {
        self.cores as f64 / self.median.as_secs_f64()
    }

    fn print(&self) {
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

async fn measure_argon2(runs: usize) -> Result<Argon2Figures, String> {
    let runs = runs.max(1);
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    // Exactly as server/src/main.rs builds it: one permit per core.
    let hasher = PasswordHasher::new(cores).map_err(|e| format!("argon2 hasher: {e}"))?;
    let hash = hasher.hash(PASSWORD.to_string()).await.map_err(|e| format!("argon2 hash: {e}"))?;

    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let ok = hasher.verify(PASSWORD.to_string(), Some(hash.clone())).await.map_err(|e| format!("argon2 verify: {e}"))?;
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
async fn measure_parallel_verifies(hasher: &PasswordHasher, hash: &PasswordHash, cores: usize, rounds: usize) -> Result<f64, String> {
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
fn two_factor_users_needed(args: &Args, limit_per_sec: f64) -> usize {
    let logins = args.password_logins + args.second_factor_logins;
    if args.second_factor_logins == 0 || logins == 0 {
        return 0;
    }
    let share = args.second_factor_logins as f64 / logins as f64;
    let per_step = limit_per_sec * share * STEP_SECS as f64;
    // Half again as many for bursts, plus the ones in flight.
    (per_step * 1.5).ceil() as usize + args.concurrency
}

// ---------------------------------------------------------------------------
// HTTP

#[derive(Clone)]
struct Http {
    client: reqwest::Client,
    base: String,
}

/// A response read in full, with the cookies it sets.
struct Answer {
    status: StatusCode,
    body: String,
    set_cookies: Vec<(String, String)>,
}

impl Answer {
    /// The value a `Set-Cookie` gives `name`, unless it clears it.
    fn cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies.iter().find(|(n, v)| n == name && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// What went wrong, short enough for a report line; JSON errors by their code.
    fn failure(&self, what: &str) -> String {
        let code = serde_json::from_str::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_string));
        match code {
            Some(code) => format!("{what}: HTTP {} {code}", self.status.as_u16()),
            None => format!("{what}: HTTP {}", self.status.as_u16()),
        }
    }

    fn expect_ok(self, what: &str) -> Result<Answer, Failure> {
        if self.status == StatusCode::OK {
            Ok(self)
        } else {
            Err(Failure { key: self.failure(what), example: snippet(&self.body) })
        }
    }
}

/// A failed request: `key` groups alike failures in the report.
#[derive(Debug)]
struct Failure {
    key: String,
    example: String,
}

impl Failure {
    fn new(key: impl Into<String>, example: impl Into<String>) -> Self {
        Self { key: key.into(), example: example.into() }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.key, self.example)
    }
}

fn snippet(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(200).collect()
}

impl Http {
    fn new(base: &str, connections: usize) -> Result<Self, String> {
        // No cookie store: each request carries exactly the cookies it names,
        // so every login starts like a fresh browser while connections are reused.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(connections)
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Self { client, base: base.trim_end_matches('/').to_string() })
    }

    async fn wait_until_ready(&self) -> Result<(), String> {
        for _ in 0..100 {
            if let Ok(res) = self.client.get(format!("{}/readyz", self.base)).send().await {
                if res.status().is_success() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!("{}/readyz did not answer 200 within 10 s: is the server running?", self.base))
    }

    /// Calls a server function as the browser does: a form-encoded POST.
    async fn call(&self, name: &str, args: &[(&str, &str)], cookies: &[(&str, &str)]) -> Result<Answer, Failure> {
        let mut request = self.client.post(format!("{}/api/{name}", self.base)).header("Accept", "application/json").form(args);
        if let Some(header) = cookie_header(cookies) {
            request = request.header("Cookie", header);
        }
        read(request.send().await, name).await
    }

    async fn page(&self, path: &str, session: &str) -> Result<Answer, Failure> {
        let request = self
            .client
            .get(format!("{}{path}", self.base))
            .header("Accept", "text/html")
            .header("Cookie", format!("{SESSION_COOKIE}={session}"));
        read(request.send().await, path).await
    }
}

fn cookie_header(cookies: &[(&str, &str)]) -> Option<String> {
    (!cookies.is_empty()).then(|| cookies.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; "))
}

async fn read(sent: reqwest::Result<reqwest::Response>, what: &str) -> Result<Answer, Failure> {
    let res = sent.map_err(|e| Failure::new(format!("{what}: {}", transport_error_kind(&e)), e.to_string()))?;
    let status = res.status();
    let set_cookies = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let body = res.text().await.map_err(|e| Failure::new(format!("{what}: body not read"), e.to_string()))?;
    Ok(Answer { status, body, set_cookies })
}

fn transport_error_kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    }
}

// ---------------------------------------------------------------------------
// Seeding

struct TwoFactorUser {
    email: String,
    secret: TotpSecret,
    /// The last TOTP step the server accepted for this account.
    last_step: i64,
}

struct Seeded {
    owner_session: String,
    org_name: String,
    org_slug: String,
    members: usize,
    password_users: Vec<String>,
    two_factor_users: Vec<TwoFactorUser>,
}

impl Seeded {
    fn page_paths(&self) -> Vec<String> {
        vec!["/".to_string(), "/account".to_string(), format!("/orgs/{}", self.org_slug)]
    }
}

async fn seed(http: &Http, args: &Args, two_factor_users: usize) -> Result<Seeded, String> {
    // Unique per run, so a tool run against a long-lived server does not collide.
    let run: u32 = rand::thread_rng().gen_range(0x1000_0000..=u32::MAX);
    let run = format!("{run:08x}");

    let password_users = futures::stream::iter(0..args.password_users)
        .map(|i| {
            let email = format!("load-{run}-pw-{i}@example.com");
            async move { sign_up(http, &format!("Password User {i}"), &email).await.map(|_| email) }
        })
        .buffer_unordered(args.seed_concurrency.max(1))
        .try_collect::<Vec<String>>()
        .await
        .map_err(|e| format!("seeding password users: {e}"))?;

    let two_factor_users = futures::stream::iter(0..two_factor_users)
        .map(|i| {
            let email = format!("load-{run}-2fa-{i}@example.com");
            async move { sign_up_with_two_factor(http, i, email).await }
        })
        .buffer_unordered(args.seed_concurrency.max(1))
        .try_collect::<Vec<TwoFactorUser>>()
        .await
        .map_err(|e| format!("seeding 2FA users: {e}"))?;

    let org_name = format!("Load Org {run}");
    let org_slug = format!("load-{run}");
    let owner_session = sign_up(http, "Load Owner", &format!("load-{run}-owner@example.com"))
        .await
        .map_err(|e| format!("seeding the org owner: {e}"))?;
    let owner = [(SESSION_COOKIE, owner_session.as_str())];
    http.call("create_org", &[("name", &org_name), ("slug", &org_slug)], &owner)
        .await
        .and_then(|a| a.expect_ok("create_org"))
        .map_err(|e| format!("seeding the org: {e}"))?;
    // Some members of both kinds, so the members page renders a real table.
    let members: Vec<&str> = password_users
        .iter()
        .take(10)
        .map(String::as_str)
        .chain(two_factor_users.iter().take(10).map(|u| u.email.as_str()))
        .collect();
    for email in &members {
        http.call("add_member", &[("slug", &org_slug), ("email", email), ("role", "member")], &owner)
            .await
            .and_then(|a| a.expect_ok("add_member"))
            .map_err(|e| format!("seeding org members: {e}"))?;
    }
    Ok(Seeded { owner_session, org_name, org_slug, members: members.len(), password_users, two_factor_users })
}

/// Signs up and returns the new session's token.
async fn sign_up(http: &Http, name: &str, email: &str) -> Result<String, Failure> {
    let answer = http.call("sign_up", &[("name", name), ("email", email), ("password", PASSWORD)], &[]).await?.expect_ok("sign_up")?;
    answer.cookie(SESSION_COOKIE).map(str::to_string).ok_or_else(|| Failure::new("sign_up: no session cookie", snippet(&answer.body)))
}

async fn sign_up_with_two_factor(http: &Http, i: usize, email: String) -> Result<TwoFactorUser, Failure> {
    let session = sign_up(http, &format!("Two Factor User {i}"), &email).await?;
    let cookies = [(SESSION_COOKIE, session.as_str())];
    let started = http.call("start_enrollment", &[], &cookies).await?.expect_ok("start_enrollment")?;
    let setup_key = serde_json::from_str::<serde_json::Value>(&started.body)
        .ok()
        .and_then(|v| v.get("setup_key").and_then(|k| k.as_str()).map(str::to_string))
        .ok_or_else(|| Failure::new("start_enrollment: no setup_key", snippet(&started.body)))?;
    let secret = TotpSecret::from_base32(&setup_key).ok_or_else(|| Failure::new("start_enrollment: setup_key is not base32", setup_key.clone()))?;

    // The previous step's code (accepted: one step of drift), so the account
    // may log in again already in the current step rather than the next one.
    // Away from the step's end, so the server still counts that step as recent.
    wait_clear_of_step_end().await;
    let step = current_step() - 1;
    let code = secret.code_at_step(step, 6);
    http.call("check_enrollment_code", &[("code", &code)], &cookies).await?.expect_ok("check_enrollment_code")?;
    http.call("finish_enrollment", &[], &cookies).await?.expect_ok("finish_enrollment")?;
    Ok(TwoFactorUser { email, secret, last_step: step })
}

fn unix_now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// The TOTP step now on this machine's clock, which the server (same machine) shares.
fn current_step() -> i64 {
    step_of(unix_now().as_secs() as i64)
}

async fn wait_clear_of_step_end() {
    let into_step = unix_now().as_secs_f64() % STEP_SECS as f64;
    let left = STEP_SECS as f64 - into_step;
    if left < 2.0 {
        tokio::time::sleep(Duration::from_secs_f64(left + 0.05)).await;
    }
}

/// Page times one at a time with the server otherwise idle: roughly the
/// server's own cost of rendering each page, to compare with the times under load.
async fn print_idle_page_times(http: &Http, seeded: &Seeded, paths: &[String]) -> Result<(), String> {
    const ROUNDS: usize = 20;
    let mut line = String::from("idle page loads (one at a time, median of 20):");
    for path in paths {
        let mut times = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let started = Instant::now();
            check_page(&http.page(path, &seeded.owner_session).await.map_err(|e| e.to_string())?, &seeded.org_name, path)
                .map_err(|e| format!("the signed-in page {path} does not load: {e}"))?;
            times.push(started.elapsed());
        }
        times.sort();
        line.push_str(&format!("  {path} {}", ms(percentile(&times, 0.5))));
    }
    println!("{line}");
    Ok(())
}

/// A signed-in page: 200, and the navigation shows the owner's organization
/// (a lost session would render the signed-out page, also with 200).
fn check_page(answer: &Answer, signed_in_marker: &str, path: &str) -> Result<(), Failure> {
    if answer.status != StatusCode::OK {
        return Err(Failure::new(answer.failure(&format!("GET {path}")), snippet(&answer.body)));
    }
    if !answer.body.contains(signed_in_marker) {
        return Err(Failure::new(format!("GET {path}: not signed in"), snippet(&answer.body)));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// The 2FA account pool

/// 2FA accounts waiting for their next login. A TOTP step is accepted once
/// per account, so an account is handed out only once the clock has moved
/// past the step it last used.
struct TwoFactorPool {
    idle: Mutex<VecDeque<TwoFactorUser>>,
}

impl TwoFactorPool {
    fn new(users: Vec<TwoFactorUser>) -> Self {
        Self { idle: Mutex::new(users.into()) }
    }

    fn take(&self, now_step: i64) -> Option<TwoFactorUser> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        // Returned in about the order used, so the front is nearly always the one.
        let position = idle.iter().position(|u| u.last_step < now_step)?;
        idle.remove(position)
    }

    fn give_back(&self, user: TwoFactorUser) {
        self.idle.lock().unwrap_or_else(|e| e.into_inner()).push_back(user);
    }
}

// ---------------------------------------------------------------------------
// The run

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Index into the page paths.
    Page(usize),
    PasswordLogin,
    SecondFactorLogin,
}

struct RunContext {
    http: Http,
    page_paths: Vec<String>,
    owner_session: String,
    signed_in_marker: String,
    password_users: Vec<String>,
    pool: TwoFactorPool,
    /// Index 0: page, 1: password login, 2: second-factor login.
    mix: WeightedIndex<u32>,
}

#[derive(Default)]
struct Samples {
    /// Latencies of the successful requests.
    ok: Vec<Duration>,
    /// Failures by kind, with the count and one example.
    errors: BTreeMap<String, (usize, String)>,
}

impl Samples {
    fn error_count(&self) -> usize {
        self.errors.values().map(|(n, _)| n).sum()
    }

    fn merge(&mut self, other: Samples) {
        self.ok.extend(other.ok);
        for (key, (n, example)) in other.errors {
            self.errors.entry(key).or_insert((0, example)).0 += n;
        }
    }
}

#[derive(Default)]
struct Tally {
    by_kind: BTreeMap<Kind, Samples>,
    /// Time workers spent waiting for a 2FA account to become usable.
    pool_wait: Duration,
}

impl Tally {
    fn record(&mut self, kind: Kind, took: Duration, result: Result<(), Failure>) {
        let samples = self.by_kind.entry(kind).or_default();
        match result {
            Ok(()) => samples.ok.push(took),
            Err(failure) => samples.errors.entry(failure.key).or_insert((0, failure.example)).0 += 1,
        }
    }

    fn merge(&mut self, other: Tally) {
        for (kind, samples) in other.by_kind {
            self.by_kind.entry(kind).or_default().merge(samples);
        }
        self.pool_wait += other.pool_wait;
    }
}

/// Runs `concurrency` workers until `duration` has passed; requests in flight
/// then finish and count. Returns the tally and the time until the last one ended.
async fn run_mix(context: Arc<RunContext>, concurrency: usize, duration: Duration) -> (Tally, Duration) {
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..concurrency.max(1)).map(|id| tokio::spawn(worker(context.clone(), id, deadline))).collect();
    let mut tally = Tally::default();
    for worker in workers {
        match worker.await {
            Ok(t) => tally.merge(t),
            Err(e) => eprintln!("load: a worker failed: {e}"),
        }
    }
    (tally, started.elapsed())
}

async fn worker(context: Arc<RunContext>, id: usize, deadline: Instant) -> Tally {
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

async fn page_load(context: &RunContext, path: &str) -> Result<(), Failure> {
    let answer = context.http.page(path, &context.owner_session).await?;
    check_page(&answer, &context.signed_in_marker, path)
}

/// A fresh browser logging in to an account without 2FA.
async fn password_login(http: &Http, email: &str) -> Result<(), Failure> {
    let answer = http.call("log_in", &[("email", email), ("password", PASSWORD)], &[]).await?.expect_ok("log_in")?;
    if !answer.body.trim_start().starts_with("{\"LoggedIn\"") || answer.cookie(SESSION_COOKIE).is_none() {
        return Err(Failure::new("log_in: not logged in", snippet(&answer.body)));
    }
    Ok(())
}

/// A fresh browser logging in to a 2FA account: password, then the current code.
async fn second_factor_login(http: &Http, user: &mut TwoFactorUser) -> Result<(), Failure> {
    let answer = http.call("log_in", &[("email", &user.email), ("password", PASSWORD)], &[]).await?.expect_ok("log_in")?;
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
    let verified = http.call("verify_login", &[("code", &code)], &[(PENDING_COOKIE, &pending)]).await?.expect_ok("verify_login")?;
    if verified.cookie(SESSION_COOKIE).is_none() {
        return Err(Failure::new("verify_login: no session cookie", snippet(&verified.body)));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Report

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// Nearest-rank percentile of sorted samples; zero when there are none.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

struct Report<'a> {
    tally: &'a Tally,
    elapsed: Duration,
    page_paths: &'a [String],
    argon2: &'a Argon2Figures,
}

/// One line of the table: the samples of one or more kinds together.
struct Row {
    label: String,
    ok: Vec<Duration>,
    errors: usize,
}

impl Report<'_> {
    fn row(&self, label: impl Into<String>, kinds: impl Fn(&Kind) -> bool) -> Row {
        let mut ok = Vec::new();
        let mut errors = 0;
        for (_, samples) in self.tally.by_kind.iter().filter(|(k, _)| kinds(k)) {
            ok.extend_from_slice(&samples.ok);
            errors += samples.error_count();
        }
        ok.sort();
        Row { label: label.into(), ok, errors }
    }

    fn pages(&self) -> Row {
        self.row("pages (all)", |k| matches!(k, Kind::Page(_)))
    }

    /// Successful logins per second: each cost the server one argon2 verify.
    fn logins(&self) -> f64 {
        let logins = self.row("", |k| matches!(k, Kind::PasswordLogin | Kind::SecondFactorLogin));
        logins.ok.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn print(&self) {
        let secs = self.elapsed.as_secs_f64();
        println!("\nran {secs:.1} s; latencies of successful requests");
        println!("{:<24} {:>7} {:>8} {:>9} {:>9} {:>9} {:>7}", "kind", "ok", "per s", "p50", "p99", "max", "errors");
        let mut rows: Vec<Row> =
            self.page_paths.iter().enumerate().map(|(i, path)| self.row(format!("page {path}"), |k| *k == Kind::Page(i))).collect();
        rows.push(self.pages());
        rows.push(self.row("password login", |k| *k == Kind::PasswordLogin));
        rows.push(self.row("2FA login (2 requests)", |k| *k == Kind::SecondFactorLogin));
        rows.push(self.row("total", |_| true));
        for row in rows {
            println!(
                "{:<24} {:>7} {:>8.1} {:>9} {:>9} {:>9} {:>7}",
                row.label,
                row.ok.len(),
                row.ok.len() as f64 / secs,
                ms(percentile(&row.ok, 0.5)),
                ms(percentile(&row.ok, 0.99)),
                ms(row.ok.last().copied().unwrap_or_default()),
                row.errors
            );
        }
        if !self.tally.pool_wait.is_zero() {
            println!(
                "2FA account pool ran dry: workers waited {:.1} s in total (not errors; seed more with --two-factor-users)",
                self.tally.pool_wait.as_secs_f64()
            );
        }
        self.print_errors();
        let limit = self.argon2.limit_per_sec();
        let logins = self.logins();
        println!(
            "\nlogins: {logins:.1}/s = {:.1} % of the argon2 limit ({} cores / {} = {limit:.1}/s)",
            100.0 * logins / limit,
            self.argon2.cores,
            ms(self.argon2.median)
        );
    }

    fn print_errors(&self) {
        let mut errors: Vec<(&String, &(usize, String))> = self.tally.by_kind.values().flat_map(|s| s.errors.iter()).collect();
        if errors.is_empty() {
            return;
        }
        errors.sort_by_key(|(_, (count, _))| std::cmp::Reverse(*count));
        println!("errors:");
        for (key, (count, example)) in errors.iter().take(8) {
            println!("  {count:>6} x {key}: {example}");
        }
    }

    /// Prints each target as met or missed; returns whether no request failed.
    fn print_verdict(&self) -> bool {
        let errors = self.row("", |_| true).errors;
        let share = self.logins() / self.argon2.limit_per_sec();
        let page_p99 = percentile(&self.pages().ok, 0.99);
        let mark = |met: bool| if met { "met   " } else { "MISSED" };
        println!("\ntargets:");
        println!("  {} no errors ({errors})", mark(errors == 0));
        println!("  {} logins >= {:.0} % of the argon2 limit ({:.1} %)", mark(share >= TARGET_SHARE_OF_LIMIT), TARGET_SHARE_OF_LIMIT * 100.0, share * 100.0);
        println!("  {} page p99 < {} ({})", mark(page_p99 < TARGET_PAGE_P99), ms(TARGET_PAGE_P99), ms(page_p99));
        errors == 0
    }
}

// ---------------------------------------------------------------------------
// CPU accounting (Linux /proc; silently absent elsewhere)

/// Kernel clock ticks per second in /proc: 100 on every common Linux.
const TICKS_PER_SEC: f64 = 100.0;

struct CpuSnapshot {
    /// Busy and total ticks of the whole machine, over all cores.
    machine: Option<(u64, u64)>,
    server: Option<u64>,
    tool: Option<u64>,
}

struct CpuUse {
    wall: Duration,
    cores: usize,
    machine_busy: Option<f64>,
    server: Option<f64>,
    tool: Option<f64>,
}

impl CpuSnapshot {
    fn take(server_pid: Option<u32>) -> Self {
        Self { machine: machine_ticks(), server: server_pid.and_then(|pid| process_ticks(&pid.to_string())), tool: process_ticks("self") }
    }

    fn since(&self, before: &CpuSnapshot, wall: Duration) -> Option<CpuUse> {
        let secs = |after: Option<u64>, before: Option<u64>| Some(after?.saturating_sub(before?) as f64 / TICKS_PER_SEC);
        let machine_busy = match (self.machine, before.machine) {
            (Some((busy, _)), Some((busy_before, _))) => Some(busy.saturating_sub(busy_before) as f64 / TICKS_PER_SEC),
            _ => None,
        };
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
        let usage = CpuUse { wall, cores, machine_busy, server: secs(self.server, before.server), tool: secs(self.tool, before.tool) };
        (usage.machine_busy.is_some() || usage.tool.is_some()).then_some(usage)
    }
}

impl CpuUse {
    fn print(&self, logins_per_sec: f64, argon2: &Argon2Figures) {
        let available = self.wall.as_secs_f64() * self.cores as f64;
        let part = |label: &str, secs: Option<f64>| secs.map(|s| format!("{label} {s:.1} ({:.0} %)", 100.0 * s / available));
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
        println!("CPU core-seconds of {available:.1} available ({} cores x {:.1} s): {}", self.cores, self.wall.as_secs_f64(), parts.join(", "));
    }
}

/// (busy, total) ticks from the first line of /proc/stat.
fn machine_ticks() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    let total: u64 = fields.iter().take(8).sum();
    // idle and iowait are the 4th and 5th fields.
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

/// utime + stime of a process (and its finished children do not count).
fn process_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it are plain.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 here.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}
