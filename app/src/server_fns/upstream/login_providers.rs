use leptos::prelude::*;

use crate::error::AppError;
use crate::upstream::ProviderButton;

/// "Sign in with <provider>" buttons for the login page (anyone may ask).
#[server(endpoint = "login_providers")]
pub async fn login_providers() -> Result<Vec<ProviderButton>, AppError> {
    use crate::server::gate::request::visit;

    let visit = visit()?;
    crate::server::flows::upstream::buttons(&visit.cx()).await
}
