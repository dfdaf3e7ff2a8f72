//! `portcullis providers add|list|remove`.

use app::server::store::upstream::providers::{self, NewProvider};
use app::server::AppState;
use serde_json::json;

use crate::config::ProvidersCommand;
use crate::error::StartupError;

/// The issuer must be HTTPS (plain HTTP only on the loopback, for tests and local issuers).
fn check_issuer(issuer: &str) -> Result<String, StartupError> {
    let bad = || {
        StartupError::Config(format!("--issuer {issuer}: an https:// URL (http:// only for 127.0.0.1 or localhost)"))
    };
    let url = url::Url::parse(issuer).map_err(|_| bad())?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Err(bad());
    }
    Ok(issuer.trim_end_matches('/').to_string())
}

fn scopes(raw: &str) -> String {
    let mut scopes: Vec<&str> = vec!["openid"];
    scopes.extend(raw.split_whitespace().filter(|s| *s != "openid"));
    scopes.join(" ")
}

pub async fn providers(state: &AppState, command: ProvidersCommand) -> Result<(), StartupError> {
    let now = state.clock.now();
    match command {
        ProvidersCommand::Add {
            name,
            issuer,
            client_id,
            client_secret_file,
            scopes: asked,
            allow_sign_up,
            button_label,
        } => {
            let name = name.trim().to_string();
            if name.is_empty() || name.chars().count() > 64 {
                return Err(StartupError::Config("--name: 1 to 64 characters".into()));
            }
            let issuer = check_issuer(&issuer)?;
            let secret = std::fs::read_to_string(&client_secret_file)
                .map_err(StartupError::file("read", client_secret_file.clone()))?;
            let secret = secret.trim();
            if secret.is_empty() || client_id.trim().is_empty() {
                return Err(StartupError::Config(
                    "the client ID and the secret in --client-secret-file may not be empty".into(),
                ));
            }
            let scopes = scopes(&asked);
            let new = NewProvider {
                name: &name,
                issuer: &issuer,
                client_id: client_id.trim(),
                client_secret: secret,
                scopes: &scopes,
                allow_sign_up,
                button_label: button_label.as_deref().map(str::trim).filter(|l| !l.is_empty()),
            };
            let id = providers::add(&state.db, &state.keys, &new, now).await?;
            // Reached now, or said now: the login page would say it too.
            if let Some(provider) = providers::by_id(&state.db, &state.keys, id).await? {
                if let Err(e) = state.upstreams.metadata(&provider, now, true).await {
                    eprintln!("warning: {}", app::error::AppError::from(app::server::refusals::Refused::Upstream(e)));
                }
            }
            let redirect_uri = app::server::upstream::redirect_uri(state.settings.public_url.as_deref());
            println!("{}", json!({ "id": id, "name": name, "redirect_uri": redirect_uri }));
            if redirect_uri.is_none() {
                eprintln!(
                    "note: set --public-url (PORTCULLIS_PUBLIC_URL): the redirect URI to register is <public URL>{}",
                    app::server::upstream::CALLBACK_PATH
                );
            }
        }
        ProvidersCommand::List => {
            let list: Vec<_> = providers::all(&state.db, &state.keys)
                .await?
                .into_iter()
                .map(|p| {
                    json!({
                        "id": p.id, "name": p.name, "issuer": p.issuer, "client_id": p.client_id, "scopes": p.scopes,
                        "allow_sign_up": p.allow_sign_up, "button_label": p.label(),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
        }
        ProvidersCommand::Remove { name } => {
            if !providers::remove(&state.db, &name).await? {
                return Err(StartupError::Config(format!(
                    "no provider is named {name:?} (see `portcullis providers list`)"
                )));
            }
            println!("removed {name}");
        }
    }
    Ok(())
}
