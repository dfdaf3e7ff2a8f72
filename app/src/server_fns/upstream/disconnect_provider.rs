use leptos::prelude::*;

use crate::error::AppError;

/// "Disconnect": the provider no longer signs in to this account (refused
/// when it is the last way in).
#[server(endpoint = "disconnect_provider")]
pub async fn disconnect_provider(provider_id: i64) -> Result<(), AppError> {
    use crate::server::gate::request::session_access;
    use crate::server_fns::plain_form::back_with_notice;

    let access = session_access().await?;
    crate::server::flows::upstream::disconnect(&access.cx(), access.in_session(), provider_id).await?;
    back_with_notice("disconnected", "1");
    Ok(())
}
