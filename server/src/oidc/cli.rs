//! `portcullis clients add|list` and `portcullis signing-key rotate`.

use app::server::flows::applications::{self as manage, Actor, Registration};
use app::server::flows::oidc::Ctx;
use app::server::store::oidc::keys;
use app::server::AppState;
use serde_json::json;

use crate::config::ClientsCommand;
use crate::error::StartupError;

pub async fn clients(state: &AppState, command: ClientsCommand) -> Result<(), StartupError> {
    let meta = Default::default();
    let cx = Ctx::new(state, &meta);
    match command {
        ClientsCommand::Add { org, name, redirect_uris, post_logout_redirect_uris, public, require_two_factor } => {
            let org_id = manage::org_by_slug(&cx, &org).await?;
            let registration = Registration {
                name,
                redirect_uris: redirect_uris.join("\n"),
                post_logout_redirect_uris: post_logout_redirect_uris.join("\n"),
                public,
                require_two_factor,
            };
            let made = manage::register(&cx, Actor::Operator { org_id }, &registration).await?;
            println!("{}", json!({ "client_id": made.client_id, "client_secret": made.client_secret }));
        }
        ClientsCommand::List { org } => {
            let org_id = manage::org_by_slug(&cx, &org).await?;
            let list: Vec<_> = manage::list(&cx, org_id)
                .await?
                .into_iter()
                .map(|a| {
                    json!({
                        "client_id": a.client_id, "name": a.name, "public": a.public, "redirect_uris": a.redirect_uris,
                        "post_logout_redirect_uris": a.post_logout_redirect_uris,
                        "require_two_factor": a.require_two_factor, "disabled": a.disabled, "created_at": a.created_at,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        }
    }
    Ok(())
}

pub async fn rotate_signing_key(state: &AppState) -> Result<(), StartupError> {
    let (kid, retired) = keys::rotate(&state.db, &state.keys, state.clock.now()).await?;
    println!(
        "new signing key {kid}; {retired} previous key(s) stay published until the ID tokens they signed have expired"
    );
    Ok(())
}
