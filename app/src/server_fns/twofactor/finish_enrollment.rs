use leptos::prelude::*;

use crate::error::AppError;

/// "I've Saved my Codes": the one moment 2FA turns on; this session continues under a fresh id.
#[server(endpoint = "finish_enrollment")]
pub async fn finish_enrollment() -> Result<(), AppError> {
    use crate::server::flows::enrollment;
    use crate::server::gate::request::{hand_out_session, session_access};

    let access = session_access().await?;
    let session = enrollment::finish(&access.cx(), access.in_session()).await?;
    hand_out_session(&access.state, &session);
    Ok(())
}
