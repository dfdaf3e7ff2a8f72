use leptos::prelude::*;

use crate::error::AppError;
use crate::model::User;

/// Creates an account and signs it in.
#[server(endpoint = "sign_up")]
pub async fn sign_up(name: String, email: String, password: String) -> Result<User, AppError> {
    use crate::server::request::{set_cookie, state};
    use crate::server::{sessions, users};
    use crate::validate;

    let name = validate::person_name(&name)?;
    let email = validate::email(&email)?;
    validate::new_password(&password)?;
    let state = state()?;
    let hash = state.hasher.hash(password).await?;
    let now = state.clock.now();
    let user = users::create(&state.db, &name, &email, &hash, now).await?;
    let token = sessions::create(&state.db, user.id, now, &state.settings).await?;
    set_cookie(&sessions::cookie(Some(&token), &state.settings));
    tracing::info!(user_id = user.id, "account created");
    leptos_axum::redirect("/");
    Ok(user)
}
