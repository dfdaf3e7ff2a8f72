use leptos::prelude::*;

use crate::error::AppError;
use crate::security_keys::KeyCeremony;

/// "Use your security key" at the login's second step: the options for
/// `navigator.credentials.get`, bound to the pending login.
#[server(endpoint = "start_key_login")]
pub async fn start_key_login() -> Result<KeyCeremony, AppError> {
    use crate::server::flows::key_login;
    use crate::server::gate::request::{pending_login_token, visit};

    let visit = visit()?;
    let pending_token = pending_login_token().ok_or(AppError::Unauthenticated)?;
    key_login::start_second_step(&visit.cx(), &pending_token).await
}
