use leptos::prelude::*;

use crate::api_access::NewSecret;
use crate::error::AppError;

/// "Generate application password", after re-authentication; shown once.
#[server(endpoint = "create_app_password")]
pub async fn create_app_password(
    name: String,
    password: String,
    #[server(default)] code: String,
) -> Result<NewSecret, AppError> {
    use crate::server::flows::api_tokens::{self, NewAppPassword};
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    api_tokens::create_app_password(&access.cx(), access.in_session(), NewAppPassword { name, password, code }).await
}
