use leptos::prelude::*;

use crate::error::AppError;

/// "Remove" beside SMS: the password and a second factor. The last factor's
/// removal turns 2FA off (refused while an organization requires it).
#[server(endpoint = "remove_sms")]
pub async fn remove_sms(#[server(default)] password: String, #[server(default)] code: String) -> Result<(), AppError> {
    use crate::server::flows::backup_codes::Reauthentication;
    use crate::server::flows::sms;
    use crate::server::gate::request::{hand_out_session, session_access};

    let access = session_access().await?;
    let session = sms::remove(&access.cx(), access.in_session(), Reauthentication { password, code }).await?;
    hand_out_session(&access.state, &session);
    crate::server_fns::plain_form::redirect_plain_form("/account");
    Ok(())
}
