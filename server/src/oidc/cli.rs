//! `portcullis clients add|update|list` and `portcullis signing-key rotate`.

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
        ClientsCommand::Add {
            org,
            name,
            redirect_uris,
            post_logout_redirect_uris,
            public,
            require_two_factor,
            id_token_alg,
            resource_server,
            backchannel_logout_uri,
            service,
            refresh_token_secs,
            also_admit,
        } => {
            let org_id = manage::org_by_slug(&cx, &org).await?;
            let registration = Registration {
                name,
                redirect_uris: redirect_uris.join("\n"),
                post_logout_redirect_uris: post_logout_redirect_uris.join("\n"),
                backchannel_logout_uri: backchannel_logout_uri.unwrap_or_default(),
                public,
                require_two_factor,
                id_token_alg,
                resource_server,
                service,
                refresh_token_secs,
                also_admit: Some(also_admit),
            };
            let made = manage::register(&cx, Actor::Operator { org_id }, &registration).await?;
            println!("{}", json!({ "client_id": made.client_id, "client_secret": made.client_secret }));
        }
        ClientsCommand::Update {
            org,
            client_id,
            name,
            redirect_uris,
            post_logout_redirect_uris,
            backchannel_logout_uri,
            require_two_factor,
            id_token_alg,
            resource_server,
            service,
            refresh_token_secs,
            also_admit,
        } => {
            let org_id = manage::org_by_slug(&cx, &org).await?;
            let actor = Actor::Operator { org_id };
            let Some(current) = manage::list(&cx, org_id).await?.into_iter().find(|a| a.client_id == client_id) else {
                return Err(app::error::AppError::from(app::server::refusals::Refused::ApplicationNotFound).into());
            };
            let or_current =
                |given: Vec<String>, current: Vec<String>| if given.is_empty() { current } else { given }.join("\n");
            let edit = Registration {
                name: name.unwrap_or(current.name),
                redirect_uris: or_current(redirect_uris, current.redirect_uris),
                post_logout_redirect_uris: or_current(post_logout_redirect_uris, current.post_logout_redirect_uris),
                backchannel_logout_uri: backchannel_logout_uri.or(current.backchannel_logout_uri).unwrap_or_default(),
                public: current.public,
                require_two_factor: require_two_factor.unwrap_or(current.require_two_factor),
                id_token_alg: id_token_alg.unwrap_or(current.id_token_alg),
                resource_server: resource_server.unwrap_or(current.resource_server),
                service: service.unwrap_or(current.service),
                refresh_token_secs: refresh_token_secs.or(current.refresh_token_secs),
                also_admit,
            };
            manage::update(&cx, actor, &client_id, &edit).await?;
            println!("{}", json!({ "client_id": client_id, "updated": true }));
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
                        "require_two_factor": a.require_two_factor, "id_token_alg": a.id_token_alg.as_str(),
                        "resource_server": a.resource_server, "backchannel_logout_uri": a.backchannel_logout_uri,
                        "service": a.service, "refresh_token_secs": a.refresh_token_secs,
                        "also_admits": a.also_admits.iter().map(|o| o.slug.as_str()).collect::<Vec<_>>(),
                        "disabled": a.disabled, "created_at": a.created_at,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        }
    }
    Ok(())
}

pub async fn rotate_signing_key(state: &AppState) -> Result<(), StartupError> {
    let (kids, retired) = keys::rotate(&state.db, &state.keys, state.clock.now()).await?;
    println!(
        "new signing keys {} (RS256, ES256); {retired} previous key(s) stay published until the ID tokens they signed have expired",
        kids.join(", ")
    );
    Ok(())
}
