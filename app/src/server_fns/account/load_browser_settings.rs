use leptos::prelude::*;

use crate::error::AppError;
use crate::model::BrowserSettings;

/// The remembered browsers, and whether a sign-in from a new browser is mailed.
#[server(endpoint = "load_browser_settings")]
pub async fn load_browser_settings() -> Result<BrowserSettings, AppError> {
    use crate::server::gate::request::{browser_hash, session_access};

    let access = session_access().await?;
    crate::server::flows::sessions::browser_settings(&access.cx(), access.in_session(), browser_hash().as_deref()).await
}
