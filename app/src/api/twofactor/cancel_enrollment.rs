use leptos::prelude::*;

use crate::error::AppError;

/// Closing the dialog early: the pending secret is discarded, 2FA stays off.
#[server(endpoint = "cancel_enrollment")]
pub async fn cancel_enrollment() -> Result<(), AppError> {
    use crate::server::enrollments;
    use crate::server::request::{require_session, state};

    let (_, session_hash) = require_session().await?;
    enrollments::delete(&state()?.db, &session_hash).await
}
