use leptos::prelude::*;

use crate::error::AppError;
use crate::model::User;

/// Creates an account and signs it in.
#[server(endpoint = "sign_up")]
pub async fn sign_up(name: String, email: String, password: String) -> Result<User, AppError> {
    use crate::server::request::{start_session, state};
    use crate::server::users;
    use crate::validate;

    let name = validate::person_name(&name)?;
    let email = validate::email(&email)?;
    validate::new_password(&password)?;
    let state = state()?;
    let hash = state.hasher.hash(password).await?;
    let user = users::create(&state.db, &name, &email, &hash, state.clock.now()).await?;
    start_session(&state, user.id).await?;
    tracing::info!(user_id = user.id, "account created");
    leptos_axum::redirect("/");
    Ok(user)
}
