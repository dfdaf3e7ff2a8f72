//! Calling the REST API (/api/v1) as a program would: no cookies, an
//! Authorization header, JSON.
#![allow(dead_code)]

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{ok, Client, TestServer, PASSWORD};

/// How a request authenticates.
#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Bearer(String),
    Basic(String, String),
    Raw(String),
}

impl Auth {
    fn header(&self) -> Option<String> {
        match self {
            Auth::None => None,
            Auth::Bearer(token) => Some(format!("Bearer {token}")),
            Auth::Basic(user, password) => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
            )),
            Auth::Raw(value) => Some(value.clone()),
        }
    }
}

pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
}

/// One API request; `body` is sent as JSON when given.
pub async fn call(server: &TestServer, method: Method, path: &str, auth: &Auth, body: Option<Value>) -> Answer {
    let http = reqwest::Client::new();
    let mut req = http.request(method, format!("{}/api/v1{path}", server.base));
    if let Some(header) = auth.header() {
        req = req.header("Authorization", header);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.expect("request sent");
    answer(res).await
}

pub async fn answer(res: reqwest::Response) -> Answer {
    let (status, headers) = (res.status(), res.headers().clone());
    let text = res.text().await.unwrap_or_default();
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    Answer { status, body, headers }
}

pub async fn get(server: &TestServer, path: &str, auth: &Auth) -> Answer {
    call(server, Method::GET, path, auth, None).await
}

/// A personal access token of `client`'s account (no 2FA: the password suffices).
pub async fn token(client: &Client, scopes: &str, days: i64) -> String {
    token_with_code(client, scopes, days, "").await
}

pub async fn token_with_code(client: &Client, scopes: &str, days: i64, code: &str) -> String {
    let days = days.to_string();
    let mut args = vec![("name", "CI"), ("expires_in_days", days.as_str()), ("password", PASSWORD), ("code", code)];
    for (scope, arg) in [("read", "read"), ("write", "write"), ("admin:org", "admin_org")] {
        if scopes.split(' ').any(|s| s == scope) {
            args.push((arg, "true"));
        }
    }
    let made = ok(client, "create_api_token", &args).await;
    made["secret"].as_str().expect("the secret, once").to_string()
}

pub async fn app_password(client: &Client, code: &str) -> String {
    let made = ok(client, "create_app_password", &[("name", "Mail"), ("password", PASSWORD), ("code", code)]).await;
    made["secret"].as_str().expect("the secret, once").to_string()
}

pub const ALL_SCOPES: &str = "read write admin:org";
