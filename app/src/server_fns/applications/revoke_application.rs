use leptos::prelude::*;

use crate::error::AppError;

/// "Revoke": the application must ask again, and every token it holds for you stops working.
#[server(endpoint = "revoke_application")]
pub async fn revoke_application(client_id: String) -> Result<(), AppError> {
    use crate::server::gate::request::require_user;

    let user = require_user().await?;
    let visit = crate::server::gate::request::visit()?;
    crate::server::flows::oidc::account::revoke(&visit.cx(), user.id, &client_id).await
}
