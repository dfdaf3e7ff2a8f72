use leptos::prelude::*;

use crate::error::AppError;
use crate::model::User;

/// The signed-in user, or `None`.
#[server(endpoint = "current_user")]
pub async fn get_current_user() -> Result<Option<User>, AppError> {
    use crate::server::gate::request::current_user;
    current_user().await
}
