use leptos::prelude::*;

use crate::error::AppError;

/// Closing the dialog early: the pending secret is discarded, 2FA stays off.
#[server(endpoint = "cancel_enrollment")]
pub async fn cancel_enrollment() -> Result<(), AppError> {
    use crate::server::flows::enrollment;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    enrollment::cancel(&access.cx(), access.in_session()).await
}
