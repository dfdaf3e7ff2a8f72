// A server function's arguments are its form's fields, one each (the client half the macro
// makes for the browser takes them all too).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::applications::SigningAlg;
use crate::error::AppError;

/// "Edit": name, redirect and logout addresses, how ID tokens are signed,
/// requires 2FA, resource server. Public or confidential stays as registered.
#[server(endpoint = "update_application")]
pub async fn update_application(
    slug: String,
    client_id: String,
    name: String,
    redirect_uris: String,
    #[server(default)] post_logout_redirect_uris: String,
    #[server(default)] backchannel_logout_uri: String,
    #[server(default)] require_two_factor: bool,
    #[server(default)] id_token_alg: SigningAlg,
    #[server(default)] resource_server: bool,
    #[server(default)] service: bool,
) -> Result<(), AppError> {
    use crate::server::flows::applications::{self as manage, Registration};

    let (access, actor) = super::manager(&slug).await?;
    let edit = Registration {
        name,
        redirect_uris,
        post_logout_redirect_uris,
        backchannel_logout_uri,
        public: false,
        require_two_factor,
        id_token_alg,
        resource_server,
        service,
    };
    manage::update(&access.cx(), actor, &client_id, &edit).await
}
