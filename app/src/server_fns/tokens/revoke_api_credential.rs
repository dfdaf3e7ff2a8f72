use leptos::prelude::*;

use crate::error::AppError;

/// "Revoke" a token or an application password of the signed-in user.
#[server(endpoint = "revoke_api_credential")]
pub async fn revoke_api_credential(id: i64) -> Result<(), AppError> {
    use crate::server::flows::api_tokens;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    api_tokens::revoke(&access.cx(), &access.user, id).await
}
