use leptos::prelude::*;

use crate::api_access::ApiCredentials;
use crate::error::AppError;

/// The signed-in user's live tokens and application passwords (never the secrets).
#[server(endpoint = "my_api_credentials")]
pub async fn my_api_credentials() -> Result<ApiCredentials, AppError> {
    use crate::server::flows::api_tokens;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    api_tokens::list(&access.cx(), &access.user).await
}
