use leptos::prelude::*;

use crate::error::AppError;
use crate::model::SmsSent;

/// "Text message (SMS)" in the "Two Factor Auth" dialog, or "Change number":
/// the number (international form), confirmed like adding any factor
/// (`password`, and with 2FA on a `code`); a 6-digit code is texted to it.
#[server(endpoint = "start_sms_enrollment")]
pub async fn start_sms_enrollment(
    phone: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<SmsSent, AppError> {
    use crate::server::flows::sms;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    let password = (!password.is_empty()).then_some(password);
    let code = (!code.trim().is_empty()).then_some(code);
    Ok(super::sent(sms::start_enrollment(&access.cx(), access.in_session(), &phone, (password, code)).await?))
}
