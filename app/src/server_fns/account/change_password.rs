use leptos::prelude::*;

use crate::error::AppError;

/// "Change password": the current one (and, with 2FA on, a code or a
/// security key confirmed just before), then the new one. The account's
/// other sessions end; this one goes on under a fresh id.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    #[server(default)] code: String,
    password: String,
) -> Result<(), AppError> {
    use crate::server::flows::password::{self, NewPassword};
    use crate::server::gate::request::{hand_out_session, session_access};
    use crate::server_fns::plain_form::back_with_notice;

    let access = session_access().await?;
    let input = NewPassword { current: current_password, code, new: password };
    let session = password::change(&access.cx(), access.in_session(), input).await?;
    hand_out_session(&access.state, &session);
    back_with_notice("saved", "password");
    Ok(())
}
