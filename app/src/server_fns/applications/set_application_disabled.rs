use leptos::prelude::*;

use crate::error::AppError;

/// "Disable" (no sign-ins, no tokens, no userinfo) or "Enable".
#[server(endpoint = "set_application_disabled")]
pub async fn set_application_disabled(
    slug: String,
    client_id: String,
    #[server(default)] disabled: bool,
) -> Result<(), AppError> {
    let (access, actor) = super::manager(&slug).await?;
    crate::server::flows::applications::set_disabled(&access.cx(), actor, &client_id, disabled).await
}
