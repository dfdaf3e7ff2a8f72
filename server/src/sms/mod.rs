//! Texted sign-in codes: the operator's gateway settings (`--sms-gateway`
//! and friends) and the deliverer the outbox's SMS worker sends through.
//! Twilio's Messages API (`twilio.rs`) or a signed JSON webhook
//! (`webhook.rs`); without a gateway SMS is not offered at all.

mod twilio;
mod webhook;

use std::sync::Arc;
use std::time::Duration;

use app::server::store::outbox::{self, Deliverer, Delivery, DeliveryError, Outgoing};
use app::twofactor::secret_box::Keys;
use app::twofactor::sms::AllowedCountries;

/// Which way codes leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GatewayKind {
    /// SMS is not offered.
    None,
    /// Twilio's Messages REST API (or one that speaks it, `--sms-api-base`).
    Twilio,
    /// A JSON POST `{to, body}` to `--sms-webhook-url`, signed with HMAC-SHA256.
    Webhook,
}

#[derive(Debug, clap::Args)]
pub struct SmsArgs {
    /// Text messages as a second factor: none (not offered), twilio, or webhook.
    #[arg(long, env = "PORTCULLIS_SMS_GATEWAY", value_enum, default_value_t = GatewayKind::None)]
    pub sms_gateway: GatewayKind,
    /// Twilio's API, or a compatible one (a test server).
    #[arg(long, env = "PORTCULLIS_SMS_API_BASE", default_value = "https://api.twilio.com")]
    pub sms_api_base: String,
    /// Twilio: the account SID (AC…).
    #[arg(long, env = "PORTCULLIS_SMS_ACCOUNT_SID")]
    pub sms_account_sid: Option<String>,
    /// Twilio: a file holding the auth token.
    #[arg(long, env = "PORTCULLIS_SMS_AUTH_TOKEN_FILE")]
    pub sms_auth_token_file: Option<std::path::PathBuf>,
    /// Twilio: the sender, a number in E.164 (+1…) or a messaging service SID (MG…).
    #[arg(long, env = "PORTCULLIS_SMS_FROM")]
    pub sms_from: Option<String>,
    /// Webhook: where the JSON POST goes (https, or http on the loopback).
    #[arg(long, env = "PORTCULLIS_SMS_WEBHOOK_URL")]
    pub sms_webhook_url: Option<String>,
    /// Webhook: a file holding the HMAC key of the `Portcullis-Signature` header.
    #[arg(long, env = "PORTCULLIS_SMS_WEBHOOK_SECRET_FILE")]
    pub sms_webhook_secret_file: Option<std::path::PathBuf>,
    /// Countries codes may be sent to (ISO codes, comma-separated, e.g. DE,FR,US). Default: all.
    #[arg(long, env = "PORTCULLIS_SMS_ALLOWED_COUNTRIES", default_value = "")]
    pub sms_allowed_countries: String,
    /// Codes all instances together send per day (UTC), whatever else the limits allow.
    #[arg(long, env = "PORTCULLIS_SMS_DAILY_LIMIT", default_value_t = 500)]
    pub sms_daily_limit: i64,
}

/// How a code leaves, with its secrets.
pub enum Gateway {
    Twilio(twilio::Twilio),
    Webhook(webhook::Webhook),
}

fn read_secret(path: Option<&std::path::Path>, what: &str) -> Result<String, String> {
    let path = path.ok_or_else(|| format!("{what} is needed"))?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{what}: cannot read {}: {e}", path.display()))?;
    let secret = text.trim().to_string();
    if secret.is_empty() {
        return Err(format!("{what}: {} is empty", path.display()));
    }
    Ok(secret)
}

/// http only to the loopback: the request carries a secret (or its signature) and a code.
fn checked_url(text: &str, what: &str) -> Result<url::Url, String> {
    let url = url::Url::parse(text.trim()).map_err(|_| format!("{what} is not a URL: {text}"))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => return Err(format!("{what} names no host")),
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(format!("{what} must be https (http only to the loopback)")),
    }
}

impl SmsArgs {
    /// What the request handlers need, and the gateway; `None` when SMS is off.
    pub fn load(&self) -> Result<Option<(app::server::SmsSettings, Gateway)>, String> {
        let gateway = match self.sms_gateway {
            GatewayKind::None => return Ok(None),
            GatewayKind::Twilio => {
                let sid = self.sms_account_sid.clone().ok_or("--sms-gateway twilio needs --sms-account-sid")?;
                let token = read_secret(self.sms_auth_token_file.as_deref(), "--sms-auth-token-file")?;
                let from =
                    self.sms_from.clone().ok_or("--sms-gateway twilio needs --sms-from (a number or MG… SID)")?;
                let base = checked_url(&self.sms_api_base, "--sms-api-base")?;
                Gateway::Twilio(twilio::Twilio::new(base, sid, token, from)?)
            }
            GatewayKind::Webhook => {
                let url = self.sms_webhook_url.as_deref().ok_or("--sms-gateway webhook needs --sms-webhook-url")?;
                let url = checked_url(url, "--sms-webhook-url")?;
                let secret = read_secret(self.sms_webhook_secret_file.as_deref(), "--sms-webhook-secret-file")?;
                Gateway::Webhook(webhook::Webhook::new(url, secret)?)
            }
        };
        let allowed = AllowedCountries::parse(&self.sms_allowed_countries)
            .map_err(|code| format!("--sms-allowed-countries: {code} is not an ISO country code"))?;
        if self.sms_daily_limit < 1 {
            return Err("--sms-daily-limit must be at least 1 (use --sms-gateway none to turn SMS off)".into());
        }
        Ok(Some((app::server::SmsSettings { allowed, daily_limit: self.sms_daily_limit }, gateway)))
    }
}

/// The HTTP client both gateways use: a gateway that does not answer in
/// time fails the try, and the outbox tries again (while the code is of use).
fn http() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot build the SMS gateway's HTTP client: {e}"))
}

/// Words a texted code and hands it to the gateway.
pub struct SmsDeliverer {
    gateway: Gateway,
    keys: Arc<Keys>,
    /// The public URL's host: the WebOTP line that binds the code to our origin.
    domain: Option<String>,
}

impl SmsDeliverer {
    pub fn new(gateway: Gateway, keys: Arc<Keys>, public_url: Option<&str>) -> Self {
        let domain = public_url.and_then(|u| url::Url::parse(u).ok()).and_then(|u| u.host_str().map(str::to_string));
        Self { gateway, keys, domain }
    }
}

impl Deliverer for SmsDeliverer {
    fn deliver<'a>(&'a self, message: &'a Outgoing) -> Delivery<'a> {
        Box::pin(async move {
            let opened = |key| outbox::open_sealed(&self.keys, &message.params, key);
            let (Some(to), Some(code)) = (opened("phone"), opened("code")) else {
                return Err(DeliveryError("the number or the code does not open with the server's keys".into()));
            };
            let body = app::twofactor::sms::message(&code, "Portcullis", self.domain.as_deref());
            match &self.gateway {
                Gateway::Twilio(twilio) => twilio.send(&to, &body).await,
                Gateway::Webhook(webhook) => webhook.send(&to, &body).await,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sms: SmsArgs,
    }

    fn load(args: &[&str]) -> Result<Option<()>, String> {
        let cli = Cli::try_parse_from(std::iter::once("portcullis").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        cli.sms.load().map(|loaded| loaded.map(|_| ()))
    }

    #[test]
    fn without_a_gateway_sms_is_off_and_a_gateway_needs_its_settings() {
        assert_eq!(load(&[]), Ok(None));
        assert!(load(&["--sms-gateway", "twilio"]).unwrap_err().contains("--sms-account-sid"));
        assert!(load(&["--sms-gateway", "webhook"]).unwrap_err().contains("--sms-webhook-url"));
        let secret = std::env::temp_dir().join(format!("sms-secret-{}", std::process::id()));
        std::fs::write(&secret, "s3cret\n").unwrap();
        let file = secret.to_str().unwrap();
        let webhook = |url: &str| {
            load(&["--sms-gateway", "webhook", "--sms-webhook-url", url, "--sms-webhook-secret-file", file])
        };
        assert_eq!(webhook("https://sms.example.com/send"), Ok(Some(())));
        assert_eq!(webhook("http://127.0.0.1:9/send"), Ok(Some(())));
        assert!(webhook("http://sms.example.com/send").unwrap_err().contains("https"));
        let twilio = |extra: &[&str]| {
            let mut args = vec!["--sms-gateway", "twilio", "--sms-account-sid", "AC1", "--sms-auth-token-file", file];
            args.extend(extra);
            load(&args)
        };
        assert!(twilio(&[]).unwrap_err().contains("--sms-from"));
        assert_eq!(twilio(&["--sms-from", "+14155550100"]), Ok(Some(())));
        assert!(twilio(&["--sms-from", "+14155550100", "--sms-allowed-countries", "DE,XX"])
            .unwrap_err()
            .contains("XX"));
        assert!(twilio(&["--sms-from", "+14155550100", "--sms-daily-limit", "0"]).is_err());
        std::fs::remove_file(secret).unwrap();
    }
}
