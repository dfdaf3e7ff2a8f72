//! Starts the real `portcullis` binary on a free port with a throwaway SQLite
//! database and a test clock, and talks to it over HTTP like a browser would.
#![allow(dead_code)]

use app::twofactor::totp::{TotpSecret, step_of};
use reqwest::cookie::{CookieStore, Jar};
use reqwest::{StatusCode, Url};
use serde_json::Value;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

static NEXT: AtomicU32 = AtomicU32::new(0);

pub struct TestServer {
    child: Child,
    pub base: String,
    dir: PathBuf,
    clock_file: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

impl TestServer {
    pub async fn start() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "portcullis-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let clock_file = dir.join("clock-offset");
        std::fs::write(&clock_file, "0").expect("clock file");
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PORTCULLIS_DATA_DIR", &dir)
            .env("PORTCULLIS_TEST_CLOCK_FILE", &clock_file)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the portcullis binary starts");
        let server = Self { child, base: format!("http://127.0.0.1:{port}"), dir, clock_file };
        server.wait_until_healthy().await;
        server
    }

    async fn wait_until_healthy(&self) {
        let http = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(res) = http.get(format!("{}/healthz", self.base)).send().await {
                if res.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server at {} did not become healthy", self.base);
    }

    /// The server's current Unix time: the system clock plus the test offset.
    pub fn now(&self) -> i64 {
        let offset: i64 = std::fs::read_to_string(&self.clock_file).unwrap().trim().parse().unwrap();
        let system = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        system + offset
    }

    /// The server's SQLite database, to check what is stored at rest.
    pub async fn db(&self) -> sqlx::SqlitePool {
        sqlx::SqlitePool::connect(&format!("sqlite://{}", self.dir.join("portcullis.db").display())).await.unwrap()
    }

    /// Moves the server's clock `secs` seconds forward from now on.
    pub fn advance_clock(&self, secs: i64) {
        let current: i64 = std::fs::read_to_string(&self.clock_file).unwrap().trim().parse().unwrap();
        std::fs::write(&self.clock_file, (current + secs).to_string()).unwrap();
    }

    /// A new browser-like client with its own cookie jar.
    pub fn client(&self) -> Client {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
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
        (client, email)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
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
        let res = self
            .http
            .post(format!("{}/api/{name}", self.base))
            .header("Accept", "application/json")
            .form(args)
            .send()
            .await
            .expect("request sent");
        let status = res.status();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(format!("{}{path}", self.base)).header("Accept", "text/html").send().await.expect("request sent")
    }

    pub fn session_cookie(&self) -> Option<String> {
        let url: Url = self.base.parse().unwrap();
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|c| c.strip_prefix("portcullis_session="))
            .map(str::to_string)
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

pub async fn enroll(server: &TestServer, client: &Client) -> Enrolled {
    let start = ok(client, "start_enrollment", &[]).await;
    let setup_key = start["setup_key"].as_str().unwrap().to_string();
    let secret = TotpSecret::from_base32(&setup_key).unwrap();
    let codes = ok(client, "check_enrollment_code", &[("code", &code_now(server, &secret))]).await;
    let codes: Vec<String> = codes.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    ok(client, "finish_enrollment", &[]).await;
    Enrolled { secret, setup_key, codes }
}

