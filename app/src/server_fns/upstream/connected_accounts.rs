use leptos::prelude::*;

use crate::error::AppError;
use crate::upstream::ConnectedAccounts;

/// The Account page's "Connected accounts" and whether the password may go.
#[server(endpoint = "connected_accounts")]
pub async fn load_connected_accounts() -> Result<ConnectedAccounts, AppError> {
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    crate::server::flows::upstream::connected(&access.cx(), access.in_session()).await
}
