use leptos::prelude::*;

use crate::error::AppError;

/// A message waiting for the signed-in user, e.g. an admin's 2FA reset. Reading
/// it changes nothing: it stays until `dismiss_notice`.
#[server(endpoint = "notice")]
pub async fn notice() -> Result<Option<String>, AppError> {
    use crate::server::gate::request::{current_user, state};
    use crate::server::{store::users, words};

    match current_user().await? {
        Some(user) => Ok(users::notice(&state()?.db, user.id).await?.map(|stored| words::notice(&stored))),
        None => Ok(None),
    }
}

/// The notice's "Dismiss" button.
#[server(endpoint = "dismiss_notice")]
pub async fn dismiss_notice() -> Result<(), AppError> {
    use crate::server::flows::account;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    account::dismiss_notice(&access.cx(), &access.user).await
}
