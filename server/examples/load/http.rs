//! Requests as a fresh browser sends them: no cookie store, each request names its cookies.

use super::*;

#[derive(Clone)]
pub(crate) struct Http {
    pub(crate) client: reqwest::Client,
    pub(crate) base: String,
}

/// A response read in full, with the cookies it sets.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: String,
    pub(crate) set_cookies: Vec<(String, String)>,
}

impl Answer {
    /// The value a `Set-Cookie` gives `name`, unless it clears it.
    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        self.set_cookies.iter().find(|(n, v)| n == name && !v.is_empty()).map(|(_, v)| v.as_str())
    }

    /// What went wrong, short enough for a report line; JSON errors by their code.
    pub(crate) fn failure(&self, what: &str) -> String {
        let code = serde_json::from_str::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_string));
        match code {
            Some(code) => format!("{what}: HTTP {} {code}", self.status.as_u16()),
            None => format!("{what}: HTTP {}", self.status.as_u16()),
        }
    }

    pub(crate) fn expect_ok(self, what: &str) -> Result<Answer, Failure> {
        if self.status == StatusCode::OK {
            Ok(self)
        } else {
            Err(Failure { key: self.failure(what), example: snippet(&self.body) })
        }
    }
}

/// A failed request: `key` groups alike failures in the report.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) key: String,
    pub(crate) example: String,
}

impl Failure {
    pub(crate) fn new(key: impl Into<String>, example: impl Into<String>) -> Self {
        Self { key: key.into(), example: example.into() }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.key, self.example)
    }
}

pub(crate) fn snippet(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(200).collect()
}

impl Http {
    pub(crate) fn new(base: &str, connections: usize) -> Result<Self, String> {
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

    pub(crate) async fn wait_until_ready(&self) -> Result<(), String> {
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
    pub(crate) async fn call(
        &self,
        name: &str,
        args: &[(&str, &str)],
        cookies: &[(&str, &str)],
    ) -> Result<Answer, Failure> {
        let mut request =
            self.client.post(format!("{}/api/{name}", self.base)).header("Accept", "application/json").form(args);
        if let Some(header) = cookie_header(cookies) {
            request = request.header("Cookie", header);
        }
        read(request.send().await, name).await
    }

    /// `call` as if from `client`, through the server's trusted proxy (see load.sh).
    pub(crate) async fn call_from(
        &self,
        client: std::net::Ipv4Addr,
        name: &str,
        args: &[(&str, &str)],
    ) -> Result<Answer, Failure> {
        let request = self
            .client
            .post(format!("{}/api/{name}", self.base))
            .header("Accept", "application/json")
            .header("X-Forwarded-For", client.to_string())
            .form(args);
        read(request.send().await, name).await
    }

    pub(crate) async fn page(&self, path: &str, session: &str) -> Result<Answer, Failure> {
        let request = self
            .client
            .get(format!("{}{path}", self.base))
            .header("Accept", "text/html")
            .header("Cookie", format!("{SESSION_COOKIE}={session}"));
        read(request.send().await, path).await
    }
}

pub(crate) fn cookie_header(cookies: &[(&str, &str)]) -> Option<String> {
    (!cookies.is_empty()).then(|| cookies.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; "))
}

pub(crate) async fn read(sent: reqwest::Result<reqwest::Response>, what: &str) -> Result<Answer, Failure> {
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

pub(crate) fn transport_error_kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    }
}
