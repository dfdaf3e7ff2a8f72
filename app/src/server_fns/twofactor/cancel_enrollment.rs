use leptos::prelude::*;

use crate::error::AppError;

/// Closing the dialog early: the pending secret, or the number being set up
/// (the dialog may have started either), is discarded; nothing else changes.
#[server(endpoint = "cancel_enrollment")]
pub async fn cancel_enrollment() -> Result<(), AppError> {
    use crate::server::flows::{enrollment, sms};
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    enrollment::cancel(&access.cx(), access.in_session()).await?;
    sms::cancel_enrollment(&access.cx(), access.in_session()).await
}
