//! Any other provider: a JSON POST `{"to": "+1…", "body": "…"}` to the
//! operator's URL, with `Portcullis-Signature: t=<unix seconds>,v1=<hex
//! HMAC-SHA256 of "<t>.<body>" under the shared secret>`, so the receiver can
//! tell it came from us and is fresh. Any 2xx is delivered.

use app::server::store::outbox::DeliveryError;
use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "Portcullis-Signature";

pub struct Webhook {
    http: reqwest::Client,
    url: url::Url,
    secret: String,
}

/// The header's value for `body` sent at `t`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else { return String::new() };
    mac.update(format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

impl Webhook {
    pub fn new(url: url::Url, secret: String) -> Result<Self, String> {
        Ok(Self { http: super::http()?, url, secret })
    }

    pub async fn send(&self, to: &str, body: &str) -> Result<(), DeliveryError> {
        let json = serde_json::json!({ "to": to, "body": body }).to_string();
        // The real time, not the test clock: the receiver compares it with its own.
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
        let answer = self
            .http
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature(&self.secret, t, &json))
            .body(json)
            .send()
            .await
            .map_err(|e| {
                DeliveryError(format!(
                    "the SMS webhook did not answer: {}",
                    if e.is_timeout() { "timed out" } else { "the request failed" }
                ))
            })?;
        if answer.status().is_success() {
            Ok(())
        } else {
            Err(DeliveryError(format!("the SMS webhook answered {}", answer.status())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_time_and_the_body() {
        let a = signature("k", 1_700_000_000, r#"{"to":"+1","body":"x"}"#);
        assert!(a.starts_with("t=1700000000,v1=") && a.len() == "t=1700000000,v1=".len() + 64);
        assert_ne!(a, signature("k", 1_700_000_001, r#"{"to":"+1","body":"x"}"#));
        assert_ne!(a, signature("k", 1_700_000_000, r#"{"to":"+2","body":"x"}"#));
        assert_ne!(a, signature("other", 1_700_000_000, r#"{"to":"+1","body":"x"}"#));
    }
}
