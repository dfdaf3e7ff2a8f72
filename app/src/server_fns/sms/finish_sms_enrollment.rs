use leptos::prelude::*;

use crate::error::AppError;

/// "I've Saved my Codes" (or right after "Check Code" without new codes):
/// the number becomes a second factor; this session continues under a fresh id.
#[server(endpoint = "finish_sms_enrollment")]
pub async fn finish_sms_enrollment() -> Result<(), AppError> {
    use crate::server::flows::sms;
    use crate::server::gate::request::{hand_out_session, session_access};

    let access = session_access().await?;
    let session = sms::finish_enrollment(&access.cx(), access.in_session()).await?;
    hand_out_session(&access.state, &session);
    Ok(())
}
