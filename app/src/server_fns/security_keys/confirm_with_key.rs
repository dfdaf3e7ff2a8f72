use leptos::prelude::*;

use crate::error::AppError;
use crate::security_keys::KeyCeremony;

/// "Confirm with your security key", before adding an authenticator to an
/// account with 2FA: the options for `navigator.credentials.get`.
#[server(endpoint = "start_key_confirmation")]
pub async fn start_key_confirmation() -> Result<KeyCeremony, AppError> {
    use crate::server::flows::key_confirmation;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    key_confirmation::start(&access.cx(), access.in_session()).await
}

/// The key's answer: this session may make one protection change in the next few minutes.
#[server(endpoint = "finish_key_confirmation")]
pub async fn finish_key_confirmation(ceremony: String, credential: String) -> Result<(), AppError> {
    use crate::server::flows::key_confirmation;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    key_confirmation::finish(&access.cx(), access.in_session(), &ceremony, &credential).await
}
