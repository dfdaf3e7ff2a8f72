use leptos::prelude::*;

use crate::error::AppError;

/// "Log out" on the end-session page: the session ends (the row, not just
/// the cookie), then the browser goes back to the application if it asked.
#[server(endpoint = "end_session")]
pub async fn end_session(
    #[server(default)] id_token_hint: String,
    #[server(default)] client_id: String,
    #[server(default)] post_logout_redirect_uri: String,
    #[server(default)] state: String,
) -> Result<String, AppError> {
    use crate::server::flows::oidc::account::{self, LogoutRequest};
    use crate::server::gate::request::{forget_session, session_token, set_cookie};
    use crate::server::store::sessions;

    let request = LogoutRequest::from_form(id_token_hint, client_id, post_logout_redirect_uri, state);
    let visit = crate::server::gate::request::visit()?;
    let cx = visit.cx();
    let next = account::after_logout(&cx, &request).await?.unwrap_or_else(|| "/login".to_string());
    if let Some(token) = session_token() {
        crate::server::flows::account::log_out(&cx, &token).await?;
        forget_session();
    }
    set_cookie(&sessions::cookie(None, &cx.state.settings));
    crate::server_fns::plain_form::redirect_plain_form(&next);
    Ok(next)
}
