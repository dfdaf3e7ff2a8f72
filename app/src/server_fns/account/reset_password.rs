use leptos::prelude::*;

use crate::error::AppError;

/// Sets the new password from a reset link; with 2FA on, with a code from
/// the app or a backup code. Every session ends: log in with the new password.
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, #[server(default)] code: String, password: String) -> Result<(), AppError> {
    use crate::server::flows::password::{self, Reset};
    use crate::server::gate::request::{clear_session_cookie, session_token, visit};
    use crate::server_fns::plain_form::redirect_plain_form;

    let visit = visit()?;
    password::reset(&visit.cx(), Reset { token, code, new: password }).await?;
    if session_token().is_some() {
        clear_session_cookie(&visit.state);
    }
    redirect_plain_form("/login?reset=done");
    Ok(())
}
