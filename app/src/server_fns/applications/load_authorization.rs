use leptos::prelude::*;

use crate::applications::AuthorizationPrompt;
use crate::error::AppError;

/// What the authorization page shows for a waiting request: consent, "not
/// a member", "set up 2FA", or nothing left to ask. `Unauthenticated` when
/// the user must log in first. Changes nothing.
#[server(endpoint = "load_authorization")]
pub async fn load_authorization(request: String) -> Result<AuthorizationPrompt, AppError> {
    use crate::server::flows::oidc::authorize::{self, Outcome};
    use crate::server::gate::request::authorization_cookies;

    let visit = crate::server::gate::request::visit()?;
    let cx = visit.cx();
    match authorize::proceed(&cx, &request, &authorization_cookies(), false).await? {
        Outcome::Prompt { prompt, .. } => Ok(prompt),
        Outcome::Login { .. } => Err(AppError::Unauthenticated),
        Outcome::Return(url) => Ok(AuthorizationPrompt::Ready { app: "the application".into(), next: url }),
        Outcome::Page(message) => Err(AppError::not_found(message)),
    }
}
