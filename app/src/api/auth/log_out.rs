use leptos::prelude::*;

use crate::error::AppError;

/// Ends the session: the row is deleted, not just the cookie.
#[server(endpoint = "log_out")]
pub async fn log_out() -> Result<(), AppError> {
    use crate::server::request::{forget_session, session_token, set_cookie, state};
    use crate::server::sessions;

    let state = state()?;
    if let Some(token) = session_token() {
        sessions::delete(&state.db, &token).await?;
        forget_session();
    }
    set_cookie(&sessions::cookie(None, &state.settings));
    leptos_axum::redirect("/login");
    Ok(())
}
