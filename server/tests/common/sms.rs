//! A gateway of our own on the loopback that speaks the shape of Twilio's
//! Messages API (form-encoded POST to `/2010-04-01/Accounts/{sid}/Messages.json`,
//! Basic auth, 201 with a JSON body) and records what it got; it can answer
//! 500 first (retries) or never (timeouts). It also takes the webhook's JSON.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;

pub const SID: &str = "AC0123456789abcdef";
pub const TOKEN: &str = "twilio-auth-token";
pub const FROM: &str = "+14155550100";
pub const WEBHOOK_SECRET: &str = "webhook-shared-secret";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Answer,
    /// 500 to the first request, then 201.
    FailOnce,
    /// Takes the request and never answers.
    Silent,
}

/// One message as the gateway received it.
#[derive(Debug, Clone)]
pub struct Texted {
    pub to: String,
    pub from: String,
    pub body: String,
    /// Basic auth was the account SID and token (Twilio), or the header (webhook).
    pub auth: Option<String>,
    pub signature: Option<String>,
}

impl Texted {
    /// The 6-digit code the message starts with.
    pub fn code(&self) -> String {
        self.body.chars().take(6).collect()
    }
}

#[derive(Clone)]
struct Shared {
    mode: Mode,
    received: Arc<Mutex<Vec<Texted>>>,
}

pub struct Gateway {
    pub base: String,
    received: Arc<Mutex<Vec<Texted>>>,
    task: tokio::task::JoinHandle<()>,
    dir: std::path::PathBuf,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn twilio(
    State(shared): State<Shared>,
    Path(sid): Path<String>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_string);
    let texted = Texted { to: field("To"), from: field("From"), body: field("Body"), auth, signature: None };
    let first = {
        let mut received = shared.received.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        received.push(texted.clone());
        received.len() == 1
    };
    match shared.mode {
        Mode::Silent => std::future::pending().await,
        Mode::FailOnce if first => (StatusCode::INTERNAL_SERVER_ERROR, "{}".into()),
        _ => {
            let answer = serde_json::json!({ "sid": "SM1", "account_sid": sid, "to": texted.to, "status": "queued" });
            (StatusCode::CREATED, answer.to_string())
        }
    }
}

async fn webhook(State(shared): State<Shared>, headers: HeaderMap, body: String) -> StatusCode {
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let signature = headers.get("portcullis-signature").and_then(|v| v.to_str().ok()).map(str::to_string);
    let text = |k: &str| json[k].as_str().unwrap_or_default().to_string();
    // The raw body rides along in `from`: the signature covers it byte for byte.
    let texted = Texted { to: text("to"), from: body.clone(), body: text("body"), auth: None, signature };
    shared.received.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(texted);
    StatusCode::NO_CONTENT
}

impl Gateway {
    pub async fn start(mode: Mode) -> Gateway {
        let received = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared { mode, received: received.clone() };
        let app = Router::new()
            .route("/2010-04-01/Accounts/{sid}/Messages.json", post(twilio))
            .route("/webhook", post(webhook))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let base = format!("http://{}", listener.local_addr().expect("an address"));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let dir = std::env::temp_dir().join(format!("sms-gateway-{}-{}", std::process::id(), rand::random::<u32>()));
        std::fs::create_dir_all(&dir).expect("a folder for the secrets");
        std::fs::write(dir.join("token"), TOKEN).expect("token file");
        std::fs::write(dir.join("webhook-secret"), WEBHOOK_SECRET).expect("secret file");
        Gateway { base, received, task, dir }
    }

    /// The server's environment for Twilio through this gateway.
    pub fn twilio_env(&self) -> Vec<(String, String)> {
        vec![
            ("PORTCULLIS_SMS_GATEWAY".into(), "twilio".into()),
            ("PORTCULLIS_SMS_API_BASE".into(), self.base.clone()),
            ("PORTCULLIS_SMS_ACCOUNT_SID".into(), SID.into()),
            ("PORTCULLIS_SMS_AUTH_TOKEN_FILE".into(), self.dir.join("token").display().to_string()),
            ("PORTCULLIS_SMS_FROM".into(), FROM.into()),
        ]
    }

    pub fn webhook_env(&self) -> Vec<(String, String)> {
        vec![
            ("PORTCULLIS_SMS_GATEWAY".into(), "webhook".into()),
            ("PORTCULLIS_SMS_WEBHOOK_URL".into(), format!("{}/webhook", self.base)),
            ("PORTCULLIS_SMS_WEBHOOK_SECRET_FILE".into(), self.dir.join("webhook-secret").display().to_string()),
        ]
    }

    pub fn received(&self) -> Vec<Texted> {
        self.received.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Waits (bounded: 15 s) until `n` messages arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Texted> {
        for _ in 0..150 {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the gateway got {} messages, not {n}", self.received().len());
    }

    /// The code of the `n`th message (counted from 1), once it arrived.
    pub async fn code(&self, n: usize) -> String {
        self.wait_for(n).await[n - 1].code()
    }
}

/// `env` as the borrowed pairs `TestServer::start_with` takes, with more.
pub fn env_of<'a>(env: &'a [(String, String)], more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    env.iter().map(|(k, v)| (k.as_str(), v.as_str())).chain(more.iter().copied()).collect()
}
