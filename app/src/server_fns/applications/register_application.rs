// A server function's arguments are its form's fields, one each (the client half the macro
// makes for the browser takes them all too).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::applications::{NewCredentials, SigningAlg};
use crate::error::AppError;

/// "Register an application": redirect URIs one per line. The client
/// secret of a confidential application is in the answer, and nowhere else.
#[server(endpoint = "register_application")]
pub async fn register_application(
    slug: String,
    name: String,
    redirect_uris: String,
    #[server(default)] post_logout_redirect_uris: String,
    #[server(default)] backchannel_logout_uri: String,
    #[server(default)] public: bool,
    #[server(default)] require_two_factor: bool,
    #[server(default)] id_token_alg: SigningAlg,
    #[server(default)] resource_server: bool,
    #[server(default)] service: bool,
) -> Result<NewCredentials, AppError> {
    use crate::server::flows::applications::{self as manage, Registration};

    let (access, actor) = super::manager(&slug).await?;
    let registration = Registration {
        name,
        redirect_uris,
        post_logout_redirect_uris,
        backchannel_logout_uri,
        public,
        require_two_factor,
        id_token_alg,
        resource_server,
        service,
        // Both are set on "Edit" (the form stays small); the CLI takes them here too.
        refresh_token_secs: None,
        also_admit: None,
    };
    manage::register(&access.cx(), actor, &registration).await
}
