use leptos::prelude::*;

use crate::error::AppError;

/// "Forget" on a remembered browser: it is asked for a code at its next sign-in.
#[server(endpoint = "forget_browser")]
pub async fn forget_browser(id: String) -> Result<(), AppError> {
    use crate::server::gate::request::session_access;
    use crate::server_fns::plain_form::back_with_notice;

    let access = session_access().await?;
    crate::server::flows::sessions::forget_browser(&access.cx(), access.in_session(), &id).await?;
    back_with_notice("forgotten", "1");
    Ok(())
}
