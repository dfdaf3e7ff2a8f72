use leptos::prelude::*;

use crate::error::AppError;

/// A message waiting for the signed-in user (shown once), e.g. an admin's 2FA reset.
#[server(endpoint = "take_notice")]
pub async fn take_notice() -> Result<Option<String>, AppError> {
    use crate::server::request::{current_user, state};
    use crate::server::users;

    match current_user().await? {
        Some(user) => users::take_notice(&state()?.db, user.id).await,
        None => Ok(None),
    }
}
