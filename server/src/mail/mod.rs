//! Mail: the SMTP settings an operator gives (`--smtp-url`, `--mail-from`),
//! the deliverer the outbox's worker sends through, and `portcullis mail
//! list` for servers without a mail server (messages wait in the outbox).

pub mod compose;
mod smtp;

pub use smtp::SmtpDeliverer;

use std::net::IpAddr;

use app::server::store::outbox;
use app::server::AppState;
use url::Url;

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// `smtps://`: TLS from the first byte (port 465).
    ImplicitTls,
    /// `smtp://` to another machine: STARTTLS, required (port 587).
    StartTls,
    /// `smtp://` to the loopback only: a relay on the same machine.
    Plain,
}

/// A parsed `--smtp-url`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, String)>,
}

// The password never reaches a log line.
impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.credentials.as_ref().map(|(user, _)| user))
            .finish()
    }
}

const URL_FORM: &str = "smtp://user:password@host:587 (STARTTLS), smtps://user:password@host:465 (TLS) or \
                        smtp://127.0.0.1:25 (plain, loopback only)";

/// Reads `smtp://` and `smtps://` URLs. Plain SMTP is refused to anything but
/// the loopback: credentials and mail would cross the network in clear.
pub fn parse_smtp_url(text: &str) -> Result<SmtpSettings, String> {
    let url = Url::parse(text.trim()).map_err(|_| format!("PORTCULLIS_SMTP_URL is not a URL; use {URL_FORM}"))?;
    let host = match url.host() {
        Some(url::Host::Domain(domain)) => domain.to_string(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(format!("PORTCULLIS_SMTP_URL names no host; use {URL_FORM}")),
    };
    let loopback = host == "localhost" || host.parse::<IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false);
    let tls_param = url.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
    let security = match (url.scheme(), tls_param.as_deref()) {
        ("smtps", _) => Security::ImplicitTls,
        ("smtp", Some("required" | "starttls")) => Security::StartTls,
        ("smtp", None) if !loopback => Security::StartTls,
        ("smtp", None | Some("none")) if loopback => Security::Plain,
        ("smtp", Some("none")) => {
            return Err("PORTCULLIS_SMTP_URL: plain SMTP (tls=none) is allowed to the loopback only".into())
        }
        ("smtp", Some(other)) => return Err(format!("PORTCULLIS_SMTP_URL: unknown tls={other}; use tls=required")),
        (other, _) => return Err(format!("PORTCULLIS_SMTP_URL: unknown scheme {other}:; use {URL_FORM}")),
    };
    let port = url.port().unwrap_or(match security {
        Security::ImplicitTls => 465,
        Security::StartTls => 587,
        Security::Plain => 25,
    });
    let decode = |s: &str| percent_decode(s);
    let credentials =
        (!url.username().is_empty()).then(|| (decode(url.username()), decode(url.password().unwrap_or(""))));
    Ok(SmtpSettings { host, port, security, credentials })
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The sender: `--mail-from`, or "Portcullis <portcullis@HOST>" from the public URL.
pub fn mail_from(configured: Option<&str>, public_url: Option<&str>) -> Result<String, String> {
    if let Some(from) = configured.map(str::trim).filter(|f| !f.is_empty()) {
        from.parse::<lettre::message::Mailbox>().map_err(|_| {
            format!("PORTCULLIS_MAIL_FROM is not an address such as \"Portcullis <id@example.com>\": {from}")
        })?;
        return Ok(from.to_string());
    }
    let host = public_url.and_then(|u| Url::parse(u).ok()).and_then(|u| u.host_str().map(str::to_string));
    match host {
        Some(host) if host.contains('.') => Ok(format!("Portcullis <portcullis@{host}>")),
        _ => Err("set PORTCULLIS_MAIL_FROM (e.g. \"Portcullis <id@example.com>\"): the public URL names no domain to send from".into()),
    }
}

/// `portcullis mail list`: the messages still waiting (or every kept one), worded.
pub async fn list(state: &AppState, all: bool) -> Result<(), crate::error::StartupError> {
    let base = state.settings.public_url.clone().unwrap_or_default();
    let listed = outbox::list(&state.db, all, 200).await?;
    if listed.is_empty() {
        println!("{}", if all { "The outbox is empty." } else { "No message is waiting." });
    }
    for item in listed {
        let m = &item.message;
        let status = match (item.delivered_at, item.failed_at) {
            (Some(at), _) => format!("delivered {}", app::model::format_utc_time(at)),
            (None, Some(at)) => format!("given up {}", app::model::format_utc_time(at)),
            (None, None) if m.attempts > 0 => format!("waiting, {} failed attempts", m.attempts),
            (None, None) => "waiting".to_string(),
        };
        println!(
            "=== message {} ({}), {status}, written {}",
            m.id,
            m.kind.as_str(),
            app::model::format_utc_time(m.created_at)
        );
        if let Some(error) = &item.last_error {
            println!("Last error: {error}");
        }
        match compose::compose(m, &state.keys, &base) {
            Ok(mail) => println!("To: {} <{}>\nSubject: {}\n\n{}", mail.to_name, mail.to, mail.subject, mail.text),
            Err(outbox::DeliveryError(why)) => println!("To: {}\n(cannot be worded: {why})\n", m.email),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_choose_starttls_implicit_tls_or_plain_on_the_loopback() {
        let s = parse_smtp_url("smtp://ann%40corp:p%2Fss@mail.example.com:587").unwrap();
        assert_eq!((s.host.as_str(), s.port, s.security), ("mail.example.com", 587, Security::StartTls));
        assert_eq!(s.credentials, Some(("ann@corp".into(), "p/ss".into())));
        let s = parse_smtp_url("smtps://mail.example.com").unwrap();
        assert_eq!((s.port, s.security, s.credentials), (465, Security::ImplicitTls, None));
        let s = parse_smtp_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!((s.port, s.security), (2525, Security::Plain));
        assert_eq!(parse_smtp_url("smtp://localhost").unwrap().security, Security::Plain);
        assert_eq!(parse_smtp_url("smtp://localhost?tls=required").unwrap().security, Security::StartTls);
        assert!(parse_smtp_url("smtp://mail.example.com?tls=none").is_err(), "no plain SMTP over the network");
        assert!(parse_smtp_url("http://mail.example.com").is_err());
        assert!(parse_smtp_url("mail.example.com").is_err());
    }

    #[test]
    fn the_password_of_the_smtp_url_is_never_printed() {
        let s = parse_smtp_url("smtp://ann:hunter2@mail.example.com").unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn the_sender_defaults_to_the_public_urls_domain() {
        assert_eq!(mail_from(None, Some("https://id.example.com")).unwrap(), "Portcullis <portcullis@id.example.com>");
        assert_eq!(mail_from(Some("IT <it@corp.example>"), None).unwrap(), "IT <it@corp.example>");
        assert!(mail_from(Some("not an address"), None).is_err());
        assert!(mail_from(None, Some("http://localhost:3000")).is_err());
    }
}
