use leptos::prelude::*;

use crate::error::AppError;
use crate::model::User;

/// Creates an account and signs it in.
#[server(endpoint = "sign_up")]
pub async fn sign_up(name: String, email: String, password: String) -> Result<User, AppError> {
    use crate::server::flows::account::{self, NewAccount};
    use crate::server::gate::request::{hand_out_session, signing_in};

    let visit = signing_in()?;
    let (user, session) = account::sign_up(&visit.cx(), NewAccount { name, email, password }).await?;
    hand_out_session(&visit.state, &session);
    leptos_axum::redirect("/");
    Ok(user)
}
