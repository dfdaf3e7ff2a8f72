use leptos::prelude::*;

use crate::error::AppError;
use crate::model::LogPage;

/// The Account page's "Security log": the user's own events, newest first.
#[server(endpoint = "security_log")]
pub async fn security_log(#[server(default)] page: i64) -> Result<LogPage, AppError> {
    use crate::server::gate::request::{require_user, state};
    use crate::server::store::events;

    let user = require_user().await?;
    events::page_for_user(&state()?.db, user.id, page).await
}
