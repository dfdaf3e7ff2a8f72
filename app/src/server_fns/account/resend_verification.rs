use leptos::prelude::*;

use crate::error::AppError;

/// "Send the link again": a new verification link (the older ones stop working).
#[server(endpoint = "resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    use crate::server::gate::request::session_access;
    use crate::server_fns::plain_form::back_with_notice;

    let access = session_access().await?;
    crate::server::flows::email::resend(&access.cx(), access.in_session()).await?;
    back_with_notice("sent", "verification");
    Ok(())
}
