use leptos::prelude::*;

use crate::error::AppError;
use crate::security_keys::KeyCeremony;

/// "Add a security key": the options for `navigator.credentials.create`.
/// `password` when the session gave it more than a few minutes ago.
#[server(endpoint = "start_key_registration")]
pub async fn start_key_registration(
    name: String,
    #[server(default)] password: String,
) -> Result<KeyCeremony, AppError> {
    use crate::server::flows::security_keys;
    use crate::server::request::session_access;

    let access = session_access().await?;
    let password = Some(password).filter(|p| !p.is_empty());
    security_keys::start_registration(&access.cx(), access.in_session(), &name, password).await
}
