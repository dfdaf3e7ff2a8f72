use leptos::prelude::*;

use crate::error::AppError;

/// Step 2, "Check Code": a right code moves to step 3 and returns the backup codes.
#[server(endpoint = "check_enrollment_code")]
pub async fn check_enrollment_code(code: String) -> Result<Vec<String>, AppError> {
    use crate::server::flows::enrollment;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    enrollment::check_code(&access.cx(), access.in_session(), &code).await
}
