use leptos::prelude::*;

use crate::error::AppError;
use crate::model::SmsSent;

/// The login's second step: "Send the code again" (or "Text me a code"), to
/// the account's own number; only the pending login's holder may ask.
#[server(endpoint = "send_login_sms")]
pub async fn send_login_sms() -> Result<SmsSent, AppError> {
    use crate::server::flows::sms;
    use crate::server::gate::request::{pending_login_token, signing_in};

    let visit = signing_in()?;
    let token = pending_login_token().ok_or(AppError::Unauthenticated)?;
    let sent = super::sent(sms::send_login_code(&visit.cx(), &token).await?);
    // Without JavaScript: back to the step, where the page says the code was sent.
    crate::server_fns::plain_form::back_with_notice("texted", "1");
    Ok(sent)
}
