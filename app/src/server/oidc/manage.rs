//! The Applications tab's use cases (and the CLI's): register, regenerate
//! the secret, disable or enable, delete; each with its audit row, in one
//! transaction under the organization's lock, re-checking that the person
//! acting still manages the organization.

use sqlx::Row;

use super::{clients, Ctx};
use crate::applications::{Application, NewCredentials, SignIn};
use crate::error::{AppError, AppResult};
use crate::model::User;
use crate::oidc::redirect;
use crate::oidc::tokens::{self, Kind};
use crate::server::events::AuditEvent;
use crate::server::flows::Tx;
use crate::server::second_factor::{self, Accept, Claim};
use crate::server::sessions::Proof;
use crate::server::{credentials, orgs};

const MAX_URIS: usize = 10;

/// A registration as typed (URIs one per line).
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub name: String,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub public: bool,
    pub require_two_factor: bool,
}

fn uris(text: &str, field: &str, at_least_one: bool) -> AppResult<Vec<String>> {
    let lines = super::lines(text);
    if at_least_one && lines.is_empty() {
        return Err(AppError::validation(
            field,
            "Enter at least one redirect URI, like https://wiki.example.com/callback.",
        ));
    }
    if lines.len() > MAX_URIS {
        return Err(AppError::validation(field, format!("Register at most {MAX_URIS} URIs.")));
    }
    lines.iter().map(|l| redirect::validate_registration(l).map_err(|m| AppError::validation(field, m))).collect()
}

/// Who acts: a manager of the organization, or the operator at the command line.
#[derive(Debug, Clone, Copy)]
pub enum Actor {
    Manager { org_id: i64, user_id: i64 },
    Operator { org_id: i64 },
}

impl Actor {
    fn org_id(self) -> i64 {
        match self {
            Actor::Manager { org_id, .. } | Actor::Operator { org_id } => org_id,
        }
    }
}

/// Locks the organization and re-checks, inside the transaction, that the manager still is one.
async fn check_manager(tx: &mut Tx, actor: Actor) -> AppResult<()> {
    orgs::lock(tx, actor.org_id()).await?;
    if let Actor::Manager { org_id, user_id } = actor {
        let row = sqlx::query(
            "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2 AND role IN ('owner', 'admin')",
        )
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&mut **tx)
        .await?;
        if row.is_none() {
            return Err(AppError::conflict(
                "Your role in this organization has just changed. Reload the page and try again.",
            ));
        }
    }
    Ok(())
}

/// The use case's transaction, with the organization locked and the manager re-checked.
async fn begin(cx: &Ctx<'_>, actor: Actor) -> AppResult<Tx> {
    let mut tx = cx.begin().await?;
    if let Err(e) = check_manager(&mut tx, actor).await {
        tx.rollback().await?;
        return Err(e);
    }
    Ok(tx)
}

async fn audit(
    conn: &mut sqlx::AnyConnection,
    actor: Actor,
    kind: AuditEvent,
    detail: &str,
    now: i64,
) -> AppResult<()> {
    let (actor_id, detail) = match actor {
        Actor::Manager { user_id, .. } => (Some(user_id), detail.to_string()),
        Actor::Operator { .. } => (None, format!("{detail}; by the operator (command line)")),
    };
    sqlx::query("INSERT INTO audit_events (org_id, actor_id, kind, detail, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(actor.org_id())
        .bind(actor_id)
        .bind(kind.as_str())
        .bind(detail)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Registers an application; the secret (confidential clients) is returned once, never stored.
#[tracing::instrument(skip_all)]
pub async fn register(cx: &Ctx<'_>, actor: Actor, registration: &Registration) -> AppResult<NewCredentials> {
    let name = crate::validate::org_name(&registration.name)?;
    let new = clients::NewClient {
        org_id: actor.org_id(),
        name,
        redirect_uris: uris(&registration.redirect_uris, "redirect_uris", true)?,
        post_logout_redirect_uris: uris(&registration.post_logout_redirect_uris, "post_logout_redirect_uris", false)?,
        secret_hash: None,
        require_two_factor: registration.require_two_factor,
    };
    let secret = (!registration.public).then(|| tokens::new(Kind::ClientSecret));
    let new =
        clients::NewClient { secret_hash: secret.as_deref().and_then(|s| tokens::hash(Kind::ClientSecret, s)), ..new };
    let client_id = tokens::new_client_id();
    let mut tx = begin(cx, actor).await?;
    clients::insert(&mut tx, &client_id, &new, cx.now).await?;
    let kind = if registration.public { "public" } else { "confidential" };
    let two_factor = if new.require_two_factor { ", requires two-factor authentication" } else { "" };
    let detail = format!("{} ({client_id}, {kind}{two_factor})", new.name);
    audit(&mut tx, actor, AuditEvent::ApplicationRegistered, &detail, cx.now).await?;
    tx.commit().await?;
    Ok(NewCredentials { client_id, client_secret: secret })
}

fn missing() -> AppError {
    AppError::not_found("No such application in this organization.")
}

/// A new secret for a confidential client; the old one stops working at once.
/// The manager gives their password again, and a current code from their app
/// if they have 2FA, which is used up in the same transaction as the change.
// `skip_all`: the password, the code and the secret never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn regenerate_secret(
    cx: &Ctx<'_>,
    actor: Actor,
    manager: &User,
    reauthentication: (String, String),
    client_id: &str,
) -> AppResult<NewCredentials> {
    let (password, code) = reauthentication;
    if password.is_empty() {
        return Err(AppError::validation("password", "Enter your password to regenerate the secret."));
    }
    crate::validate::password_length(&password)?;
    let has_two_factor = credentials::is_enabled(cx.db(), manager.id).await?;
    let code = has_two_factor.then_some((code.as_str(), Accept::Totp));
    let challenge = second_factor::challenge(cx.state, manager.id, code, cx.meta)
        .await?
        .password(cx.state, &manager.email, password, cx.meta)
        .await?;
    let secret = tokens::new(Kind::ClientSecret);
    let hash = tokens::hash(Kind::ClientSecret, &secret).ok_or(AppError::Internal)?;
    let not_found = || AppError::not_found("No confidential application with this client id in this organization.");
    if has_two_factor {
        let mut authorized = cx.begin_with_code(challenge).await?;
        let changed = match check_manager(&mut authorized.tx, actor).await {
            Ok(()) => clients::set_secret(&mut authorized.tx, actor.org_id(), client_id, &hash).await?,
            Err(e) => {
                authorized.abandon(cx).await?;
                return Err(e);
            }
        };
        if !changed {
            authorized.abandon(cx).await?;
            return Err(not_found());
        }
        audit(&mut authorized.tx, actor, AuditEvent::ApplicationSecretRegenerated, client_id, cx.now).await?;
        authorized.commit(cx).await?;
    } else {
        let mut tx = match begin(cx, actor).await {
            Ok(tx) => tx,
            Err(e) => {
                challenge.passed(cx.state, Claim::NotAsked).await?;
                return Err(e);
            }
        };
        if !clients::set_secret(&mut tx, actor.org_id(), client_id, &hash).await? {
            tx.rollback().await?;
            challenge.passed(cx.state, Claim::NotAsked).await?;
            return Err(not_found());
        }
        audit(&mut tx, actor, AuditEvent::ApplicationSecretRegenerated, client_id, cx.now).await?;
        tx.commit().await?;
        challenge.passed(cx.state, Claim::NotAsked).await?;
    }
    Ok(NewCredentials { client_id: client_id.to_string(), client_secret: Some(secret) })
}

pub async fn set_disabled(cx: &Ctx<'_>, actor: Actor, client_id: &str, disabled: bool) -> AppResult<()> {
    let mut tx = begin(cx, actor).await?;
    if !clients::set_disabled(&mut tx, actor.org_id(), client_id, disabled).await? {
        tx.rollback().await?;
        return match clients::find(&cx.state.db, client_id).await? {
            Some(c) if c.org_id == actor.org_id() => Ok(()),
            _ => Err(missing()),
        };
    }
    let kind = if disabled { AuditEvent::ApplicationDisabled } else { AuditEvent::ApplicationEnabled };
    audit(&mut tx, actor, kind, client_id, cx.now).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the application with every code, token, consent and sign-in of it.
pub async fn delete(cx: &Ctx<'_>, actor: Actor, client_id: &str) -> AppResult<()> {
    let name =
        clients::find(&cx.state.db, client_id).await?.filter(|c| c.org_id == actor.org_id()).ok_or_else(missing)?.name;
    let mut tx = begin(cx, actor).await?;
    if !clients::delete(&mut tx, actor.org_id(), client_id).await? {
        return Err(missing());
    }
    audit(&mut tx, actor, AuditEvent::ApplicationDeleted, &format!("{name} ({client_id})"), cx.now).await?;
    tx.commit().await?;
    Ok(())
}

/// The organization's applications with their five latest sign-ins each.
pub async fn list(cx: &Ctx<'_>, org_id: i64) -> AppResult<Vec<Application>> {
    let db = &cx.state.db;
    let sign_ins = clients::recent_sign_ins(db, org_id, 5).await?;
    Ok(clients::list_for_org(db, org_id)
        .await?
        .into_iter()
        .map(|c| Application {
            public: c.public(),
            recent_sign_ins: sign_ins
                .iter()
                .filter(|s| s.0 == c.id)
                .map(|(_, name, email, proof, at)| SignIn {
                    name: name.clone(),
                    email: email.clone(),
                    at: *at,
                    two_factor: Proof::parse(proof).used_second_factor(),
                })
                .collect(),
            client_id: c.client_id,
            name: c.name,
            redirect_uris: c.redirect_uris,
            post_logout_redirect_uris: c.post_logout_redirect_uris,
            require_two_factor: c.require_two_factor,
            disabled: c.disabled,
            created_at: c.created_at,
        })
        .collect())
}

/// The organization with this slug, for the CLI (no membership involved).
pub async fn org_by_slug(cx: &Ctx<'_>, slug: &str) -> AppResult<i64> {
    let row = sqlx::query("SELECT id FROM organizations WHERE slug = $1")
        .bind(slug.trim())
        .fetch_optional(&cx.state.db)
        .await?;
    row.map(|r| r.try_get::<i64, _>("id"))
        .transpose()?
        .ok_or_else(|| AppError::not_found(format!("No organization with the address \"{slug}\".")))
}
