// A server function's arguments are its form's fields, one each (the client half the macro
// makes for the browser takes them all too).
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;

use crate::applications::SigningAlg;
use crate::error::AppError;

/// "Edit": name, redirect and logout addresses, how ID tokens are signed,
/// requires 2FA, resource server, refresh token life, and the other
/// organizations it admits. Public or confidential stays as registered.
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
    #[server(default)] refresh_token_secs: i64,
    // Checkboxes named `also_admit[]`, one per organization (slugs): the whole list.
    #[server(default)] also_admit: Vec<String>,
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
        refresh_token_secs: Some(refresh_token_secs),
        also_admit: Some(also_admit),
    };
    manage::update(&access.cx(), actor, &client_id, &edit).await
}
