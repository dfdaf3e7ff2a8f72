use leptos::prelude::*;

use crate::error::AppError;
use crate::model::User;

/// Password login. Every failure reads "Invalid email or password" and costs one hash.
#[server(endpoint = "log_in")]
pub async fn log_in(email: String, password: String) -> Result<User, AppError> {
    use crate::server::request::{session_token, set_cookie, state};
    use crate::server::{sessions, users};
    use crate::validate;

    let state = state()?;
    // Malformed emails still cost a hash, so the answer's timing is uniform.
    let found = match validate::email(&email) {
        Ok(email) => users::find_with_hash(&state.db, &email).await?,
        Err(_) => None,
    };
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let password_ok = state.hasher.verify(password, hash).await?;
    let Some(user) = user.filter(|_| password_ok) else {
        tracing::info!("failed login");
        return Err(AppError::InvalidCredentials);
    };
    // A fresh session id at every login; the one the browser brought dies.
    if let Some(old) = session_token() {
        sessions::delete(&state.db, &old).await?;
    }
    let token = sessions::create(&state.db, user.id, state.clock.now(), &state.settings).await?;
    set_cookie(&sessions::cookie(Some(&token), &state.settings));
    tracing::info!(user_id = user.id, "logged in");
    leptos_axum::redirect("/");
    Ok(user)
}
