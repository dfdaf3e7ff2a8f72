use leptos::prelude::*;

use crate::error::AppError;
use crate::security_keys::KeyCeremony;

/// "Add a security key": the options for `navigator.credentials.create`.
/// `password` when the session gave it more than a few minutes ago; with 2FA
/// on, also `code` from the authenticator app (or a key confirmed just before:
/// `start_key_confirmation`).
#[server(endpoint = "start_key_registration")]
pub async fn start_key_registration(
    name: String,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<KeyCeremony, AppError> {
    use crate::server::flows::security_keys;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    let password = Some(password).filter(|p| !p.is_empty());
    let code = Some(code).filter(|c| !c.trim().is_empty());
    security_keys::start_registration(&access.cx(), access.in_session(), &name, (password, code)).await
}
