use leptos::prelude::*;

use crate::error::AppError;
use crate::model::User;

/// Creates an account and signs it in. Limited per address: every sign-up
/// that gets as far as hashing counts, made or refused.
#[server(endpoint = "sign_up")]
pub async fn sign_up(name: String, email: String, password: String) -> Result<User, AppError> {
    use crate::server::attempts::{self, Counter};
    use crate::server::request::{request_meta, start_session, state};
    use crate::server::users;
    use crate::validate;

    let name = validate::person_name(&name)?;
    let email = validate::email(&email)?;
    validate::new_password(&password)?;
    let state = state()?;
    let reservation = match request_meta().ip {
        Some(ip) => Some(attempts::reserve(&state.db, Counter::sign_up_address(ip), state.clock.now()).await?),
        None => None,
    };
    let hash = match state.hasher.hash(password).await {
        Ok(hash) => hash,
        // Refused for being busy: that sign-up did not happen.
        Err(e) => {
            if let Some(reservation) = reservation {
                reservation.release(&state.db).await?;
            }
            return Err(e);
        }
    };
    // The reservation stays counted from here on: this sign-up happened, made or refused.
    let user = users::create(&state.db, &name, &email, &hash, state.clock.now()).await?;
    start_session(&state, user.id, crate::server::sessions::Proof::Password).await?;
    tracing::info!(user_id = user.id, "account created");
    leptos_axum::redirect("/");
    Ok(user)
}
