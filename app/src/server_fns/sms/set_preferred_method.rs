use leptos::prelude::*;

use crate::error::AppError;

/// "Preferred method": `authenticator_app` or `sms`, the code asked for first at login.
#[server(endpoint = "set_preferred_method")]
pub async fn set_preferred_method(method: String) -> Result<(), AppError> {
    use crate::factors::Kind;
    use crate::server::flows::sms;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    let kind = Kind::ALL
        .into_iter()
        .find(|k| k.as_str() == method)
        .ok_or_else(|| AppError::validation("method", "Choose the authenticator app or text messages."))?;
    sms::set_preferred(&access.cx(), access.in_session(), kind).await?;
    crate::server_fns::plain_form::redirect_plain_form("/account");
    Ok(())
}
