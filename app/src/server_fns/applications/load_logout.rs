use leptos::prelude::*;

use crate::applications::LogoutPrompt;
use crate::error::AppError;

/// The end-session page: which application asks, whether anyone is signed
/// in, and where to go afterwards (checked against its registration).
#[server(endpoint = "load_logout")]
pub async fn load_logout(
    #[server(default)] id_token_hint: String,
    #[server(default)] client_id: String,
    #[server(default)] post_logout_redirect_uri: String,
    #[server(default)] state: String,
) -> Result<LogoutPrompt, AppError> {
    use crate::server::flows::oidc::account::{self, LogoutRequest};
    use crate::server::gate::request::current_user;

    let request = LogoutRequest::from_form(id_token_hint, client_id, post_logout_redirect_uri, state);
    let signed_in = current_user().await?.is_some();
    let visit = crate::server::gate::request::visit()?;
    account::logout_prompt(&visit.cx(), signed_in, &request).await
}
