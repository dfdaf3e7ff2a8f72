use leptos::prelude::*;

use crate::error::AppError;
use crate::model::EmailStatus;

/// The account's address, and whether it is verified.
#[server(endpoint = "load_email_status")]
pub async fn load_email_status() -> Result<EmailStatus, AppError> {
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    crate::server::flows::email::status(&access.cx(), access.in_session()).await
}
