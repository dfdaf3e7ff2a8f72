use leptos::prelude::*;

use crate::error::AppError;

/// "Sign out" on another browser's row.
#[server(endpoint = "sign_out_session")]
pub async fn sign_out_session(id: String) -> Result<(), AppError> {
    use crate::server::gate::request::session_access;
    use crate::server_fns::plain_form::back_with_notice;

    let access = session_access().await?;
    crate::server::flows::sessions::end(&access.cx(), access.in_session(), &id).await?;
    back_with_notice("ended", "1");
    Ok(())
}
