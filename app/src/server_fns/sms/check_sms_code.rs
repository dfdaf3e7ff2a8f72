use leptos::prelude::*;

use crate::error::AppError;

/// "Check Code" for a number being set up: the backup codes to save when
/// the account has none yet (as for the app), or none (then finish at once).
#[server(endpoint = "check_sms_code")]
pub async fn check_sms_code(code: String) -> Result<Vec<String>, AppError> {
    use crate::server::flows::sms;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    Ok(sms::check_enrollment(&access.cx(), access.in_session(), &code).await?.unwrap_or_default())
}
