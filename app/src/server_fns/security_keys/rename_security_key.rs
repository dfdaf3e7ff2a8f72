use leptos::prelude::*;

use crate::error::AppError;

/// "Rename" (a plain form on the Account page).
#[server(endpoint = "rename_security_key")]
pub async fn rename_security_key(id: i64, name: String) -> Result<(), AppError> {
    use crate::server::flows::security_keys;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    security_keys::rename(&access.cx(), access.in_session(), id, &name).await?;
    crate::server_fns::plain_form::redirect_plain_form("/account#security-keys");
    Ok(())
}
