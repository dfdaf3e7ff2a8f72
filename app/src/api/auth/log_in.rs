use leptos::prelude::*;

use crate::error::AppError;
use crate::model::LoginOutcome;

/// Password login. Every failure reads "Invalid email or password" and costs one hash.
/// With 2FA on, the password only opens the second step: no session yet.
/// Failures are limited per account and per address (`server::login_attempts`).
#[server(endpoint = "log_in")]
pub async fn log_in(email: String, password: String) -> Result<LoginOutcome, AppError> {
    use crate::server::events::{self, SecurityEvent};
    use crate::server::request::{request_meta, session_token, set_cookie, state};
    use crate::server::{credentials, login_attempts, pending_logins, sessions, users};
    use crate::validate;

    validate::password_length(&password)?;
    let state = state()?;
    let meta = request_meta();
    let attempt = login_attempts::begin(&state, &email, &meta).await?;
    // Malformed emails still cost a hash, so the answer's timing is uniform.
    let found = match validate::email(&email) {
        Ok(email) => users::find_with_hash(&state.db, &email).await?,
        Err(_) => None,
    };
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), Some(hash)),
        None => (None, None),
    };
    let password_ok = match state.hasher.verify(password, hash).await {
        Ok(ok) => ok,
        Err(e) => {
            attempt.abandoned(&state).await?;
            return Err(e);
        }
    };
    let Some(user) = user.filter(|_| password_ok) else {
        attempt.failed(&state, &meta).await?;
        return Err(AppError::InvalidCredentials);
    };
    attempt.succeeded(&state).await?;
    // Whatever session the browser brought dies here: a fresh id at every step.
    if let Some(old) = session_token() {
        sessions::delete(&state.db, &old).await?;
        crate::server::request::forget_session();
        set_cookie(&sessions::cookie(None, &state.settings));
    }
    let now = state.clock.now();
    if credentials::is_enabled(&state.db, user.id).await? {
        let token = pending_logins::create(&state.db, user.id, now).await?;
        set_cookie(&pending_logins::cookie(Some(&token), &state.settings));
        leptos_axum::redirect("/login/two-factor");
        return Ok(LoginOutcome::SecondFactorRequired);
    }
    crate::server::request::start_session(&state, user.id, crate::server::sessions::Proof::Password).await?;
    events::record(&state.db, user.id, SecurityEvent::LoggedIn, &meta, now).await?;
    leptos_axum::redirect("/");
    Ok(LoginOutcome::LoggedIn(user))
}
