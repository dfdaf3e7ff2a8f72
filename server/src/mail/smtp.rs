//! Delivery through an SMTP server with lettre: a pooled connection,
//! STARTTLS or implicit TLS with rustls and the system's roots.

use std::sync::Arc;
use std::time::Duration;

use app::server::store::outbox::{Deliverer, Delivery, DeliveryError, Outgoing};
use app::twofactor::secret_box::Keys;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::{compose, Security, SmtpSettings};

pub struct SmtpDeliverer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    keys: Arc<Keys>,
    base_url: String,
}

impl SmtpDeliverer {
    pub fn new(settings: &SmtpSettings, from: &str, keys: Arc<Keys>, base_url: String) -> Result<Self, String> {
        let tls_parameters =
            || TlsParameters::new(settings.host.clone()).map_err(|e| format!("TLS for {}: {e}", settings.host));
        let tls = match settings.security {
            Security::ImplicitTls => Tls::Wrapper(tls_parameters()?),
            Security::StartTls => Tls::Required(tls_parameters()?),
            Security::Plain => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
            .port(settings.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(30)));
        if let Some((user, password)) = &settings.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let from = from.parse().map_err(|e| format!("PORTCULLIS_MAIL_FROM: {e}"))?;
        Ok(Self { transport: builder.build(), from, keys, base_url })
    }
}

impl Deliverer for SmtpDeliverer {
    fn deliver<'a>(&'a self, message: &'a Outgoing) -> Delivery<'a> {
        Box::pin(async move {
            let mail = compose::compose(message, &self.keys, &self.base_url)?;
            let address = mail.to.parse().map_err(|_| DeliveryError("the recipient's address is not valid".into()))?;
            let email = lettre::Message::builder()
                .from(self.from.clone())
                .to(Mailbox::new(Some(mail.to_name), address))
                .subject(mail.subject)
                .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
                .map_err(|e| DeliveryError(format!("the message could not be built: {e}")))?;
            // The error names the server's answer (e.g. "451 try again later"), never the content.
            self.transport.send(email).await.map_err(|e| DeliveryError(format!("SMTP: {e}")))?;
            Ok(())
        })
    }
}
