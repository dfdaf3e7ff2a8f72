//! What each outgoing message says: its subject, and a plain-text and an
//! HTML body made from the same paragraphs. Names, key names and
//! organization names come from people, so the HTML escapes every string;
//! links are built from the public URL and carry the token sealed in the
//! outbox row, opened only here.

use serde_json::{Map, Value};

use app::model::format_utc_time;
use app::server::store::outbox::{self, DeliveryError, MessageKind, Outgoing};
use app::twofactor::secret_box::Keys;
use app::ui::escape_html;

/// The product's name as mail shows it.
const PRODUCT: &str = "Portcullis";

/// A message worded for one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The page a message's link opens, and what its button says.
struct Action {
    label: &'static str,
    url: String,
}

struct Parts {
    subject: String,
    paragraphs: Vec<String>,
    action: Option<Action>,
    /// Why the person got it, and what to do if it was not them.
    footer: &'static str,
}

const NOT_YOU: &str = "If this was not you, change your password at once and tell your organization's admin.";
const SECURITY_FOOTER: &str =
    "This is a security notice about your account. It is always sent and cannot be turned off.";

/// Words `message`; `base_url` is the public URL ("" gives relative links,
/// for `portcullis mail list` on a server without one).
pub fn compose(message: &Outgoing, keys: &Keys, base_url: &str) -> Result<Mail, DeliveryError> {
    let p = &message.params;
    let link = |path: &str| -> Result<String, DeliveryError> {
        let token = outbox::open_link_token(keys, p)
            .ok_or_else(|| DeliveryError("the message's link opens with no configured key".into()))?;
        Ok(format!("{base_url}{path}?token={token}"))
    };
    let security = |subject: &str, paragraphs: Vec<String>| Parts {
        subject: subject.to_string(),
        paragraphs,
        action: None,
        footer: SECURITY_FOOTER,
    };
    let parts = match message.kind {
        // Texted, never mailed: the SMS worker takes these (a code in a mailbox would be a second copy).
        MessageKind::SmsCode => return Err(DeliveryError("a texted code is not sent by mail".into())),
        MessageKind::BackchannelLogout => return Err(DeliveryError("a logout token is not sent by mail".into())),
        MessageKind::TwoFactorTurnedOn => security(
            "Two-factor authentication is on",
            vec![
                "Two-factor authentication was turned on for your account. From now on, signing in asks for \
                 a second step: a code from your authenticator app or a text message, a security key or a backup code."
                    .into(),
                NOT_YOU.into(),
            ],
        ),
        MessageKind::TwoFactorTurnedOff => security(
            "Two-factor authentication is off",
            vec![
                "Two-factor authentication was turned off for your account: signing in now asks for your \
                 password only."
                    .into(),
                NOT_YOU.into(),
            ],
        ),
        MessageKind::TwoFactorReset => security(
            "Your two-factor authentication was reset",
            vec![
                format!(
                    "{} reset the two-factor authentication of your account{}. Your authenticator, security keys \
                     and backup codes were removed, and you were signed out everywhere.",
                    text(p, "actor"),
                    // The operator's reset (from the command line) is not an organization's.
                    match p.get("org").and_then(Value::as_str) {
                        Some(org) => format!(" for the organization {org}"),
                        None => String::new(),
                    }
                ),
                "Set up two-factor authentication again when you next sign in.".into(),
            ],
        ),
        MessageKind::SecurityKeyAdded => security(
            "A security key was added to your account",
            vec![format!("The security key or passkey \u{201c}{}\u{201d} was added to your account.", text(p, "name")), NOT_YOU.into()],
        ),
        MessageKind::SecurityKeyRemoved => security(
            "A security key was removed from your account",
            vec![
                format!("The security key or passkey \u{201c}{}\u{201d} was removed from your account.", text(p, "name")),
                NOT_YOU.into(),
            ],
        ),
        MessageKind::BackupCodesRegenerated => security(
            "New backup codes were made",
            vec!["New backup codes were made for your account; the old ones no longer work.".into(), NOT_YOU.into()],
        ),
        MessageKind::BackupCodeUsed => security(
            "A backup code was used to sign in",
            vec![
                format!(
                    "A backup code was used to sign in to your account. {} left.",
                    match p.get("left").and_then(Value::as_i64).unwrap_or(0) {
                        0 => "None are".to_string(),
                        1 => "1 is".to_string(),
                        n => format!("{n} are"),
                    }
                ),
                "Keep your backup codes somewhere safe, and make new ones on your Account page when few are left."
                    .into(),
                NOT_YOU.into(),
            ],
        ),
        MessageKind::VerifyEmail => Parts {
            subject: "Verify your email address".into(),
            paragraphs: vec![
                format!("Confirm that {} is your address by opening this link.", message.email),
                "The link works once, for 24 hours. If you did not sign up, ignore this email.".into(),
            ],
            action: Some(Action { label: "Verify email address", url: link("/verify-email")? }),
            footer: "You received this email because this address was given to Portcullis.",
        },
        MessageKind::PasswordReset => Parts {
            subject: "Reset your password".into(),
            paragraphs: vec![
                "Someone asked to reset the password of your account. Open this link to choose a new one.".into(),
                "The link works once, for 30 minutes. If two-factor authentication is on, you will be asked \
                 for your second step too. If you did not ask for this, ignore this email: your password stays as it is."
                    .into(),
            ],
            action: Some(Action { label: "Choose a new password", url: link("/reset-password")? }),
            footer: SECURITY_FOOTER,
        },
        MessageKind::PasswordChanged => security(
            "Your password was changed",
            vec![
                match p.get("how").and_then(Value::as_str) {
                    Some("reset") => "The password of your account was reset with a link sent to this address. \
                                      You were signed out everywhere."
                        .to_string(),
                    _ => "The password of your account was changed.".to_string(),
                },
                NOT_YOU.into(),
            ],
        ),
        MessageKind::EmailChanged => security(
            "Your email address was changed",
            vec![
                format!(
                    "The email address of your account was changed to {}. This address will no longer receive \
                     its messages.",
                    text(p, "new_address")
                ),
                NOT_YOU.into(),
            ],
        ),
        MessageKind::NewBrowser => Parts {
            subject: "A new sign-in to your account".into(),
            paragraphs: vec![
                "Your account was signed in to from a browser it had not been used from before.".into(),
                format!(
                    "Browser: {}\nAddress: {}\nTime: {}",
                    text(p, "browser"),
                    text(p, "address"),
                    format_utc_time(p.get("at").and_then(Value::as_i64).unwrap_or(message.created_at))
                ),
                NOT_YOU.into(),
            ],
            action: None,
            footer: "You can turn these emails off on your Account page.",
        },
        MessageKind::TokenCreated => {
            let what = match text(p, "kind").as_str() {
                "application_password" => "application password",
                _ => "personal access token",
            };
            security(
                &format!("A{} {what} was created", if what.starts_with('a') { "n" } else { "" }),
                vec![format!("The {what} \u{201c}{}\u{201d} was created for your account.", text(p, "name")), NOT_YOU.into()],
            )
        }
        MessageKind::Invitation => Parts {
            subject: format!("{} invited you to {}", text(p, "inviter"), text(p, "org")),
            paragraphs: vec![
                format!("{} invited you to join the organization {} on {PRODUCT}.", text(p, "inviter"), text(p, "org")),
                "Sign in (or sign up with this address) and verify it to see and accept the invitation. You will \
                 need the one-time code that the person who invited you was shown."
                    .into(),
            ],
            action: Some(Action { label: "See the invitation", url: format!("{base_url}/account") }),
            footer: "You received this email because someone invited this address.",
        },
        MessageKind::OperatorAction => security(
            "The server's operator changed your account",
            vec![format!("The operator of this {PRODUCT} server {}.", text(p, "what")), NOT_YOU.into()],
        ),
    };
    Ok(render(message, parts))
}

/// A string parameter, or a dash when a newer version left it out.
fn text(params: &Map<String, Value>, key: &str) -> String {
    params.get(key).and_then(Value::as_str).unwrap_or("\u{2014}").to_string()
}

fn render(message: &Outgoing, parts: Parts) -> Mail {
    let greeting = format!("Hi {},", message.name);
    let mut text = format!("{greeting}\n\n");
    let mut html = vec![format!(
        "<!doctype html><html><body style=\"font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2328\">\
         <p>{}</p>",
        escape_html(&greeting)
    )];
    for paragraph in &parts.paragraphs {
        text.push_str(paragraph);
        text.push_str("\n\n");
        html.push(format!("<p>{}</p>", escape_html(paragraph).replace('\n', "<br>")));
    }
    if let Some(action) = &parts.action {
        text.push_str(&[action.label, ": ", &action.url, "\n\n"].concat());
        let url = escape_html(&action.url);
        html.push(format!(
            "<p><a href=\"{url}\" style=\"display: inline-block; padding: 8px 16px; background: #1f6feb; color: #fff; \
             border-radius: 6px; text-decoration: none\">{}</a></p><p style=\"font-size: 13px\">Or open {url}</p>",
            escape_html(action.label)
        ));
    }
    text.push_str(&["\u{2014} ", PRODUCT, "\n", parts.footer, "\n"].concat());
    html.push(format!(
        "<p style=\"font-size: 13px; color: #59636e\">\u{2014} {PRODUCT}<br>{}</p></body></html>",
        escape_html(parts.footer)
    ));
    Mail { to: message.email.clone(), to_name: message.name.clone(), subject: parts.subject, text, html: html.concat() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outgoing(kind: MessageKind, params: Map<String, Value>) -> Outgoing {
        Outgoing {
            id: 1,
            kind,
            user_id: 7,
            email: "ann@example.com".into(),
            name: "Ann <b>".into(),
            params,
            attempts: 0,
            created_at: 1_700_000_000,
        }
    }

    #[test]
    fn every_kind_is_worded_with_its_subject_and_both_bodies() {
        let keys = Keys::new(&[1; 32]);
        let message = outbox::Message::to(7, MessageKind::VerifyEmail).with_link_token("tok");
        let mut params = message.params.clone();
        params.insert(
            "link_token".into(),
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                keys.seal(b"tok", outbox::LINK_PURPOSE),
            )
            .into(),
        );
        for kind in MessageKind::ALL.into_iter().filter(|k| k.channel() == outbox::Channel::Mail) {
            let mail = compose(&outgoing(kind, params.clone()), &keys, "https://id.example.com").unwrap();
            assert!(!mail.subject.is_empty(), "{kind:?}");
            assert!(mail.text.starts_with("Hi Ann <b>,"), "{kind:?}");
            assert!(mail.html.contains("Hi Ann &lt;b&gt;,"), "the name is escaped in HTML: {kind:?}");
        }
        assert!(compose(&outgoing(MessageKind::SmsCode, params.clone()), &keys, "").is_err(), "a code is never mailed");
        let verify = compose(&outgoing(MessageKind::VerifyEmail, params), &keys, "https://id.example.com").unwrap();
        assert!(verify.text.contains("https://id.example.com/verify-email?token=tok"), "{}", verify.text);
    }

    #[test]
    fn a_key_name_cannot_write_html_and_a_link_without_its_key_is_not_sent() {
        let keys = Keys::new(&[1; 32]);
        let mut params = Map::new();
        params.insert("name".into(), "<script>x</script>".into());
        let mail = compose(&outgoing(MessageKind::SecurityKeyAdded, params), &keys, "").unwrap();
        assert!(!mail.html.contains("<script>"));
        assert!(mail.text.contains("<script>x</script>"), "plain text keeps it as written");
        let reset = compose(&outgoing(MessageKind::PasswordReset, Map::new()), &keys, "");
        assert!(reset.is_err());
    }

    #[test]
    fn the_count_of_backup_codes_left_reads_as_a_sentence() {
        let keys = Keys::new(&[1; 32]);
        let said = |left: i64| {
            let mut params = Map::new();
            params.insert("left".into(), left.into());
            compose(&outgoing(MessageKind::BackupCodeUsed, params), &keys, "").unwrap().text
        };
        assert!(said(0).contains("None are left."));
        assert!(said(1).contains("1 is left."));
        assert!(said(7).contains("7 are left."));
    }
}
