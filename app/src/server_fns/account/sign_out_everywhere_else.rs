use leptos::prelude::*;

use crate::error::AppError;

/// "Sign out everywhere else": every session of the account but this one.
#[server(endpoint = "sign_out_everywhere_else")]
pub async fn sign_out_everywhere_else() -> Result<u64, AppError> {
    use crate::server::gate::request::session_access;
    use crate::server_fns::plain_form::back_with_notice;

    let access = session_access().await?;
    let ended = crate::server::flows::sessions::end_others(&access.cx(), access.in_session()).await?;
    back_with_notice("ended", &ended.to_string());
    Ok(ended)
}
