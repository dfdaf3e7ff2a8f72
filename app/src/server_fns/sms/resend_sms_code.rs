use leptos::prelude::*;

use crate::error::AppError;
use crate::model::SmsSent;

/// "Send the code again" while setting up a number (a minute after the last).
#[server(endpoint = "resend_sms_code")]
pub async fn resend_sms_code() -> Result<SmsSent, AppError> {
    use crate::server::flows::sms;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    Ok(super::sent(sms::resend_enrollment_code(&access.cx(), access.in_session()).await?))
}
