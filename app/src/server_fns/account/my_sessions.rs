use leptos::prelude::*;

use crate::error::AppError;
use crate::model::SignedInSession;

/// "Where you're signed in": the account's live sessions.
#[server(endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<Vec<SignedInSession>, AppError> {
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    crate::server::flows::sessions::list(&access.cx(), access.in_session()).await
}
