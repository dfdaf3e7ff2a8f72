use leptos::prelude::*;

use crate::error::AppError;

/// Ends the session: the row is deleted, not just the cookie.
#[server(endpoint = "log_out")]
pub async fn log_out() -> Result<(), AppError> {
    use crate::server::flows::account;
    use crate::server::gate::request::{clear_session_cookie, session_token, visit};

    let visit = visit()?;
    if let Some(token) = session_token() {
        account::log_out(&visit.cx(), &token).await?;
    }
    clear_session_cookie(&visit.state);
    leptos_axum::redirect("/login");
    Ok(())
}
