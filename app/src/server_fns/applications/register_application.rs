use leptos::prelude::*;

use crate::applications::NewCredentials;
use crate::error::AppError;

/// "Register an application": redirect URIs one per line. The client
/// secret of a confidential application is in the answer, and nowhere else.
#[server(endpoint = "register_application")]
pub async fn register_application(
    slug: String,
    name: String,
    redirect_uris: String,
    #[server(default)] post_logout_redirect_uris: String,
    #[server(default)] public: bool,
    #[server(default)] require_two_factor: bool,
) -> Result<NewCredentials, AppError> {
    use crate::server::flows::applications::{self as manage, Registration};

    let (access, actor) = super::manager(&slug).await?;
    let registration = Registration { name, redirect_uris, post_logout_redirect_uris, public, require_two_factor };
    manage::register(&access.cx(), actor, &registration).await
}
