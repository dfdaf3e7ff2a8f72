use leptos::prelude::*;

use crate::error::AppError;
use crate::model::BackupCodeView;

/// "Reveal codes": the password and a current code from the authenticator
/// app, or a security key confirmed just before (`password` and `code` empty).
#[server(endpoint = "reveal_codes")]
pub async fn reveal_codes(password: String, #[server(default)] code: String) -> Result<Vec<BackupCodeView>, AppError> {
    use crate::server::flows::backup_codes::{self, Reauthentication};
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    backup_codes::reveal(&access.cx(), access.in_session(), Reauthentication { password, code }).await
}
