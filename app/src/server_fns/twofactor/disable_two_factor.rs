use leptos::prelude::*;

use crate::error::AppError;

/// "Disable 2FA": password and a current code or a backup code, or a
/// security key confirmed just before (both empty). The account's other
/// sessions end, and this one gets a fresh id.
#[server(endpoint = "disable_two_factor")]
pub async fn disable_two_factor(password: String, code: String) -> Result<(), AppError> {
    use crate::server::flows::backup_codes::Reauthentication;
    use crate::server::flows::two_factor;
    use crate::server::gate::request::{hand_out_session, session_access};

    let access = session_access().await?;
    let session = two_factor::disable(&access.cx(), access.in_session(), Reauthentication { password, code }).await?;
    hand_out_session(&access.state, &session);
    Ok(())
}
