use leptos::prelude::*;

use crate::error::AppError;
use crate::security_keys::KeyCeremony;

/// "Sign in with a passkey": the options for `navigator.credentials.get`
/// with discoverable credentials (conditional UI where the browser has it).
#[server(endpoint = "start_passkey_login")]
pub async fn start_passkey_login() -> Result<KeyCeremony, AppError> {
    use crate::server::flows::key_login;
    use crate::server::gate::request::visit;

    let visit = visit()?;
    key_login::start_passkey(&visit.cx()).await
}
