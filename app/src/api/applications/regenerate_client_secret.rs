use leptos::prelude::*;

use crate::applications::NewCredentials;
use crate::error::AppError;

/// "Regenerate secret": the old secret stops working at once. The person
/// acting gives their password again, and a code from their app if they have 2FA.
#[server(endpoint = "regenerate_client_secret")]
pub async fn regenerate_client_secret(
    slug: String,
    client_id: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<NewCredentials, AppError> {
    use crate::server::oidc::manage;

    let (access, actor) = super::manager(&slug).await?;
    manage::regenerate_secret(&access.cx(), actor, &access.user, (password, code), &client_id).await
}
