use leptos::prelude::*;

use crate::applications::NewCredentials;
use crate::error::AppError;

/// "Regenerate secret": the old secret stops working at once. The person
/// acting gives their password again, and a code from their app if they have 2FA
/// (or confirms with a security key just before).
#[server(endpoint = "regenerate_client_secret")]
pub async fn regenerate_client_secret(
    slug: String,
    client_id: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<NewCredentials, AppError> {
    use crate::server::flows::applications as manage;
    use crate::server::flows::reauthentication::Reauthentication;
    use crate::server::flows::InSession;

    let (access, actor) = super::manager(&slug).await?;
    let manager = InSession { user: &access.user, session_hash: &access.session_hash };
    manage::regenerate_secret(&access.cx(), actor, manager, Reauthentication { password, code }, &client_id).await
}
