//! Twilio's Messages API: a form-encoded POST to
//! `{base}/2010-04-01/Accounts/{sid}/Messages.json` with Basic auth (the
//! account SID and auth token), answered 201 with the message as JSON.

use app::server::store::outbox::DeliveryError;

pub struct Twilio {
    http: reqwest::Client,
    url: url::Url,
    sid: String,
    token: String,
    /// `From` (a number) or `MessagingServiceSid` (MG…).
    from: (&'static str, String),
}

impl Twilio {
    pub fn new(base: url::Url, sid: String, token: String, from: String) -> Result<Self, String> {
        if sid.is_empty() || !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err("--sms-account-sid: letters and digits only (AC…)".into());
        }
        let url = base
            .join(&format!("2010-04-01/Accounts/{sid}/Messages.json"))
            .map_err(|_| "--sms-api-base: cannot build the Messages URL from it".to_string())?;
        let from = if from.starts_with("MG") { ("MessagingServiceSid", from) } else { ("From", from) };
        Ok(Self { http: super::http()?, url, sid, token, from })
    }

    pub async fn send(&self, to: &str, body: &str) -> Result<(), DeliveryError> {
        let form = [("To", to), (self.from.0, self.from.1.as_str()), ("Body", body)];
        let answer = self
            .http
            .post(self.url.clone())
            .basic_auth(&self.sid, Some(&self.token))
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                DeliveryError(format!("the SMS gateway did not answer: {}", crate::outbox::request_failure(&e)))
            })?;
        let status = answer.status();
        if status.is_success() {
            return Ok(());
        }
        // Twilio's error code only: its message may quote the number, which stays out of logs.
        let text = answer.text().await.unwrap_or_default();
        let detail = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("code")?.as_i64())
            .map(|code| format!(" (Twilio error {code})"))
            .unwrap_or_default();
        Err(DeliveryError(format!("the SMS gateway answered {status}{detail}")))
    }
}
