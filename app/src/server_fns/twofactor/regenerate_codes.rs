use leptos::prelude::*;

use crate::error::AppError;

/// "Regenerate codes": password and a current code, or a security key confirmed
/// just before (both empty); the old set dies at once.
#[server(endpoint = "regenerate_codes")]
pub async fn regenerate_codes(password: String, code: String) -> Result<Vec<String>, AppError> {
    use crate::server::flows::backup_codes::{self, Reauthentication};
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    backup_codes::regenerate(&access.cx(), access.in_session(), Reauthentication { password, code }).await
}
