//! Starts the real `portcullis` binary on a free port with a throwaway
//! database (SQLite, or PostgreSQL) and a test clock, and talks to it over HTTP like a browser would.
#![allow(dead_code)]

use app::twofactor::totp::{step_of, TotpSecret};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::{StatusCode, Url};
use serde_json::Value;
use sqlx::{Connection, Executor};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub mod api;
pub mod authenticator;
pub mod oidc;
pub mod sms;
pub mod smtp;
pub mod upstream;

static NEXT: AtomicU32 = AtomicU32::new(0);

/// Runs each named `async fn(Backend)` test twice: `<name>::sqlite` and
/// `<name>::postgres`. The PostgreSQL run is skipped, with a message, when no
/// server is available, except under CI=true, where it fails instead.
#[macro_export]
macro_rules! on_both_backends {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test]
            async fn sqlite() {
                $crate::common::bounded(super::$test($crate::common::Backend::Sqlite)).await
            }
            #[tokio::test]
            async fn postgres() {
                if let Some(backend) = $crate::common::Backend::postgres() {
                    $crate::common::bounded(super::$test(backend)).await
                }
            }
        }
    )*};
}

/// A test that hangs fails after this long instead of holding CI to its limit.
const TEST_LIMIT: Duration = Duration::from_secs(240);
/// One request that does not answer fails the test with its URL.
const REQUEST_LIMIT: Duration = Duration::from_secs(60);

pub async fn bounded(test: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(TEST_LIMIT, test).await.is_err() {
        panic!("the test did not finish within {} s", TEST_LIMIT.as_secs());
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

const LOCAL_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/postgres";

impl Backend {
    /// PostgreSQL when `PORTCULLIS_TEST_DATABASE_URL` is set or a server answers
    /// on 127.0.0.1:5432; `None` (and a note on stderr) otherwise.
    pub fn postgres() -> Option<Backend> {
        if postgres_admin_url().is_some() {
            return Some(Backend::Postgres);
        }
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "CI=true but no PostgreSQL for the PostgreSQL half of the suite: \
                 set PORTCULLIS_TEST_DATABASE_URL=postgres://user@host/db or start PostgreSQL on 127.0.0.1:5432"
            );
        }
        eprintln!("skipped on PostgreSQL: set PORTCULLIS_TEST_DATABASE_URL or start PostgreSQL on 127.0.0.1:5432");
        None
    }
}

/// A database on which the tests may create and drop their own databases.
fn postgres_admin_url() -> Option<&'static str> {
    static URL: OnceLock<Option<String>> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("PORTCULLIS_TEST_DATABASE_URL") {
            return Some(url);
        }
        let addr = "127.0.0.1:5432".parse().expect("an address");
        std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(1)).ok().map(|_| LOCAL_POSTGRES.to_string())
    })
    .as_deref()
}

/// The same server URL with another database name.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url.split_once('?').map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// What one test made for itself and removes when it ends: a temp folder
/// (SQLite file, secret key, clock file) and, on PostgreSQL, a database.
struct Scratch {
    dir: PathBuf,
    postgres_database: Option<String>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        let (Some(name), Some(admin)) = (self.postgres_database.take(), postgres_admin_url()) else { return };
        // Drop runs inside the test's runtime, which cannot block on itself.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread().enable_all().build().map(|rt| {
                rt.block_on(async {
                    let mut conn = sqlx::PgConnection::connect(admin).await?;
                    conn.execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str()).await
                })
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(Ok(_)))) {
            eprintln!("could not drop a test database: {dropped:?}");
        }
    }
}

/// Databases of test processes that were killed before they could drop
/// them; the process id in the name tells whether their owner is gone.
async fn drop_leftovers_of_dead_runs(conn: &mut sqlx::PgConnection) {
    static SWEPT: AtomicU32 = AtomicU32::new(0);
    if SWEPT.swap(1, Ordering::SeqCst) == 1 {
        return;
    }
    let names: Vec<(String,)> =
        sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'portcullis\\_test\\_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    for (name,) in names {
        let pid = name.trim_start_matches("portcullis_test_").split('_').next().unwrap_or("");
        if !pid.is_empty() && !Path::new("/proc").join(pid).exists() {
            let _ = conn.execute(format!(r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#).as_str()).await;
        }
    }
}

/// A throwaway database and temp folder for one test, removed when dropped.
pub struct TestDatabase {
    pub url: String,
    pub dir: PathBuf,
    scratch: Scratch,
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> Self {
        let id = format!("{}_{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::SeqCst), rand::random::<u32>());
        let dir = std::env::temp_dir().join(format!("portcullis-test-{id}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut scratch = Scratch { dir: dir.clone(), postgres_database: None };
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}?mode=rwc", dir.join("portcullis.db").display()),
            Backend::Postgres => {
                let admin = postgres_admin_url().expect("PostgreSQL was found available");
                let name = format!("portcullis_test_{id}");
                let mut conn = sqlx::PgConnection::connect(admin).await.expect("connect to the test PostgreSQL");
                drop_leftovers_of_dead_runs(&mut conn).await;
                conn.execute(format!(r#"CREATE DATABASE "{name}""#).as_str()).await.expect("create a test database");
                scratch.postgres_database = Some(name.clone());
                with_database(admin, &name)
            }
        };
        Self { url, dir, scratch }
    }
}

pub struct TestServer {
    child: Child,
    pub base: String,
    pub backend: Backend,
    database_url: String,
    dir: PathBuf,
    clock_file: PathBuf,
    /// `None` for a second instance, which shares the first one's.
    scratch: Option<Scratch>,
    /// Environment given at the last restart, which further instances share.
    env: Vec<(String, String)>,
}

/// A port no other server of this test binary was given. The OS may hand the
/// same just-released port to two tests starting at once; the loser's server
/// then fails to bind while its health check is answered by the winner, and
/// the two tests talk to one server (seen: "acme is taken" on a new database).
pub fn free_port() -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let mut given = GIVEN.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, &[]).await
    }

    /// `start`, with more environment (kept for `another_instance`).
    pub async fn start_with(backend: Backend, env: &[(&str, &str)]) -> Self {
        let TestDatabase { url: database_url, dir, scratch } = TestDatabase::create(backend).await;
        let clock_file = dir.join("clock-offset");
        // The server's clock stands still until a test moves it: time-dependent checks are exact.
        let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("time").as_secs();
        std::fs::write(&clock_file, format!("@{started}")).expect("clock file");
        let child = spawn(&dir, &clock_file, &database_url, env);
        let server = Self {
            child: child.0,
            base: child.1,
            backend,
            database_url,
            dir,
            clock_file,
            scratch: Some(scratch),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        };
        server.wait_until_healthy().await;
        server
    }

    /// Another server process on the same database, secret key and clock, as
    /// a second instance behind a load balancer would be.
    pub async fn another_instance(&self) -> TestServer {
        let env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (child, base) = spawn(&self.dir, &self.clock_file, &self.database_url, &env);
        let server = Self {
            child,
            base,
            backend: self.backend,
            database_url: self.database_url.clone(),
            dir: self.dir.clone(),
            clock_file: self.clock_file.clone(),
            scratch: None,
            env: self.env.clone(),
        };
        server.wait_until_healthy().await;
        server
    }

    /// Stops this process and starts it again with more environment, on the
    /// same port's successor: the database, key file and clock stay.
    pub async fn restart(&mut self, env: &[(&str, &str)]) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, base) = spawn(&self.dir, &self.clock_file, &self.database_url, env);
        (self.child, self.base) = (child, base);
        self.env = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        self.wait_until_healthy().await;
    }

    /// Sends SIGTERM, as a deploy does.
    pub fn send_sigterm(&self) {
        let sent = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill runs");
        assert!(sent.success(), "SIGTERM sent");
    }

    pub async fn wait_for_exit(&mut self) -> std::process::ExitStatus {
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().expect("wait works") {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not stop within 5 s");
    }

    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// Runs a `portcullis` subcommand against this server's database and key.
    /// Bounded: a command that does not end within a minute is killed and fails the test.
    pub fn run(&self, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
        let child = command(&self.dir, &self.clock_file, &self.database_url, env)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("portcullis runs");
        let pid = child.id();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait_with_output());
        });
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(output) => output.expect("portcullis ran"),
            Err(_) => {
                let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
                panic!("portcullis {args:?} did not end within 60 s");
            }
        }
    }

    /// What the server has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// The key the first start generated in the data dir.
    pub fn key_file(&self) -> String {
        std::fs::read_to_string(self.dir.join("secret.key")).expect("a key file").trim().to_string()
    }

    async fn wait_until_healthy(&self) {
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(res) = http.get(format!("{}/readyz", self.base)).send().await {
                if res.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server at {} did not become ready", self.base);
    }

    /// The server's current Unix time: the system clock plus the test offset.
    pub fn now(&self) -> i64 {
        let stopped = std::fs::read_to_string(&self.clock_file).unwrap();
        stopped.trim().trim_start_matches('@').parse().unwrap()
    }

    /// The server's database, to check what is stored at rest.
    pub async fn db(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database_url).await.unwrap()
    }

    /// Moves the server's clock `secs` seconds forward from now on.
    pub fn advance_clock(&self, secs: i64) {
        std::fs::write(&self.clock_file, format!("@{}", self.now() + secs)).unwrap();
    }

    /// A new browser-like client with its own cookie jar.
    pub fn client(&self) -> Client {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_LIMIT)
            .build()
            .unwrap();
        Client { http, base: self.base.clone(), jar }
    }

    /// Signs up a fresh account and returns its client and email.
    pub async fn user(&self, name: &str) -> (Client, String) {
        let client = self.client();
        let email = format!("{}-{}@example.com", name.to_lowercase(), NEXT.fetch_add(1, Ordering::SeqCst));
        let (status, body) = client.call("sign_up", &[("name", name), ("email", &email), ("password", PASSWORD)]).await;
        assert_eq!(status, StatusCode::OK, "sign up failed: {body}");
        // As if the link mailed at sign-up had been opened (account_lifecycle.rs opens real ones):
        // invitations are accepted by verified addresses only.
        self.mark_verified(&email).await;
        (client, email)
    }

    /// Marks the address verified in the database, as its link would.
    pub async fn mark_verified(&self, email: &str) {
        let db = self.db().await;
        sqlx::query("UPDATE users SET email_verified_at = created_at WHERE email = $1")
            .bind(email)
            .execute(&db)
            .await
            .expect("mark the address verified");
        db.close().await;
    }
}

fn command(dir: &Path, clock_file: &Path, database_url: &str, env: &[(&str, &str)]) -> Command {
    // PORTCULLIS_TEST_BINARY runs these tests against another build (e.g. the code before a fix).
    let binary =
        std::env::var("PORTCULLIS_TEST_BINARY").unwrap_or_else(|_| env!("CARGO_BIN_EXE_portcullis").to_string());
    let mut command = Command::new(binary);
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORTCULLIS_DATA_DIR", dir)
        .env("DATABASE_URL", database_url)
        .env("PORTCULLIS_TEST_CLOCK_FILE", clock_file)
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied());
    command
}

/// `{port}` in a value of `env` is the port the server listens on
/// (`PORTCULLIS_PUBLIC_URL=http://localhost:{port}`: WebAuthn needs a domain name).
fn spawn(dir: &Path, clock_file: &Path, database_url: &str, env: &[(&str, &str)]) -> (Child, String) {
    let port = free_port();
    let env: Vec<(&str, String)> = env.iter().map(|(k, v)| (*k, v.replace("{port}", &port.to_string()))).collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let env = env.as_slice();
    let mut command = command(dir, clock_file, database_url, env);
    // The server is its own OpenID Connect issuer, unless a test says otherwise.
    if !env.iter().any(|(k, _)| *k == "PORTCULLIS_PUBLIC_URL") {
        command.env("PORTCULLIS_PUBLIC_URL", format!("http://127.0.0.1:{port}"));
    }
    // What the server logs (stdout) is kept for the tests that read it (`TestServer::log`).
    let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("server.log")).expect("a log file");
    let child = command
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::from(log))
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the portcullis binary starts");
    (child, format!("http://127.0.0.1:{port}"))
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub const PASSWORD: &str = "correct horse battery";

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    jar: Arc<Jar>,
}

impl Client {
    /// Calls a server function the way the browser does (form-encoded POST) and returns status and JSON.
    pub async fn call(&self, name: &str, args: &[(&str, &str)]) -> (StatusCode, Value) {
        let (status, body, _) = self.call_with_headers(name, args).await;
        (status, body)
    }

    /// `call`, with the response's headers too.
    pub async fn call_with_headers(
        &self,
        name: &str,
        args: &[(&str, &str)],
    ) -> (StatusCode, Value, reqwest::header::HeaderMap) {
        let res = self
            .http
            .post(format!("{}/api/{name}", self.base))
            .header("Accept", "application/json")
            .form(args)
            .send()
            .await
            .expect("request sent");
        let (status, headers) = (res.status(), res.headers().clone());
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body, headers)
    }

    /// Calls a server function and decodes its answer into the type the
    /// browser decodes it into: the `app::model` value, or the `AppError`.
    pub async fn call_as<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
        args: &[(&str, &str)],
    ) -> Result<T, app::error::AppError> {
        let (status, body) = self.call(name, args).await;
        if status.is_success() {
            Ok(serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{name}: {e}: {body}")))
        } else {
            let error: app::error::AppError =
                serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{name}: {e}: {body}"));
            assert_eq!(status.as_u16(), error.status(), "{name}: the status is the error's own");
            Err(error)
        }
    }

    /// The same browser (cookie jar) talking to another instance.
    pub fn on(&self, server: &TestServer) -> Client {
        Client { http: self.http.clone(), base: server.base.clone(), jar: self.jar.clone() }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).header("Accept", "text/html").send().await.expect("request sent")
    }

    pub fn session_cookie(&self) -> Option<String> {
        let url: Url = self.base.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|c| c.strip_prefix("portcullis_session=")).map(str::to_string)
    }

    /// The value of cookie `name` this browser would send to `path`.
    pub fn cookie_at(&self, path: &str, name: &str) -> Option<String> {
        let url: Url = format!("{}{path}", self.base).parse().ok()?;
        let header = self.jar.cookies(&url)?;
        let prefix = format!("{name}=");
        header.to_str().ok()?.split("; ").find_map(|c| c.strip_prefix(prefix.as_str())).map(str::to_string)
    }

    /// Replaces the session cookie, as an attacker replaying an old one would.
    pub fn set_session_cookie(&self, token: &str) {
        let url: Url = self.base.parse().unwrap();
        self.jar.add_cookie_str(&format!("portcullis_session={token}; Path=/"), &url);
    }

    pub async fn me(&self) -> Value {
        let (status, body) = self.call("current_user", &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

/// Two-factor helpers shared by the test files.
pub struct Enrolled {
    pub secret: TotpSecret,
    pub setup_key: String,
    pub codes: Vec<String>,
}

/// The code the user's app shows at the server's current time.
pub fn code_now(server: &TestServer, secret: &TotpSecret) -> String {
    secret.code_at_step(step_of(server.now()), 6)
}

pub async fn ok(client: &Client, name: &str, args: &[(&str, &str)]) -> Value {
    let (status, body) = client.call(name, args).await;
    assert_eq!(status, StatusCode::OK, "{name}: {body}");
    body
}

/// Makes `member` (whose account uses `email`) a member of `slug` with `role`,
/// as the owner or admin `manager` would: the one way tests add members, so
/// that how membership is granted changes in one place.
pub async fn join_org(manager: &Client, member: &Client, slug: &str, email: &str, role: &str) {
    let code = invite(manager, slug, email, role).await;
    let id = invitation_id(member, slug).await;
    ok(member, "accept_invitation", &[("invitation_id", &id), ("code", &code)]).await;
}

/// Invites `email` to `slug`; returns the one-time code the inviter is shown.
pub async fn invite(manager: &Client, slug: &str, email: &str, role: &str) -> String {
    let sent = ok(manager, "add_member", &[("slug", slug), ("email", email), ("role", role)]).await;
    sent["code"].as_str().unwrap_or_else(|| panic!("no invitation code: {sent}")).to_string()
}

/// The id of `member`'s invitation to the organization `slug`.
pub async fn invitation_id(member: &Client, slug: &str) -> String {
    let invitations = ok(member, "my_invitations", &[]).await;
    let invitation = invitations.as_array().unwrap().iter().find(|i| i["org_slug"] == slug);
    invitation.unwrap_or_else(|| panic!("no invitation to {slug}: {invitations}"))["id"].to_string()
}

pub async fn enroll(server: &TestServer, client: &Client) -> Enrolled {
    let start = ok(client, "start_enrollment", &[("password", PASSWORD)]).await;
    let setup_key = start["setup_key"].as_str().unwrap().to_string();
    let secret = TotpSecret::from_base32(&setup_key).unwrap();
    let codes = ok(client, "check_enrollment_code", &[("code", &code_now(server, &secret))]).await;
    let codes: Vec<String> = codes.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    ok(client, "finish_enrollment", &[]).await;
    Enrolled { secret, setup_key, codes }
}

/// A fresh client that has passed the password step only.
pub async fn pending_login(server: &TestServer, email: &str) -> Client {
    let c = server.client();
    assert_eq!(ok(&c, "log_in", &[("email", email), ("password", PASSWORD)]).await, "SecondFactorRequired");
    c
}

/// Submits one code from every client at once: exactly one may win, the
/// rest are refused (never a 5xx), and only the winner holds a session.
pub async fn assert_one_of_a_race_wins(clients: &[Client], code: &str) {
    let args = [("code", code)];
    let results = futures::future::join_all(clients.iter().map(|c| c.call("verify_login", &args))).await;
    let wins = results.iter().filter(|(s, _)| *s == StatusCode::OK).count();
    assert_eq!(wins, 1, "{results:?}");
    assert!(results.iter().all(|(s, _)| s.is_success() || s.is_client_error()), "{results:?}");
    let sessions = futures::future::join_all(clients.iter().map(|c| c.me())).await;
    assert_eq!(sessions.iter().filter(|u| !u.is_null()).count(), 1);
}
