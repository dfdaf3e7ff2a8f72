use leptos::prelude::*;

use crate::error::AppError;

/// "Email me when a new browser signs in to my account" on or off.
#[server(endpoint = "set_new_browser_mail")]
pub async fn set_new_browser_mail(#[server(default)] on: bool) -> Result<(), AppError> {
    use crate::server::gate::request::session_access;
    use crate::server_fns::plain_form::back_with_notice;

    let access = session_access().await?;
    crate::server::flows::sessions::set_new_browser_mail(&access.cx(), access.in_session(), on).await?;
    back_with_notice("notified", if on { "on" } else { "off" });
    Ok(())
}
