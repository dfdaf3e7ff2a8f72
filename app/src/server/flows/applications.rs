//! The Applications tab's use cases (and the CLI's): register, edit,
//! regenerate the secret, disable or enable, delete; each with its audit row, in one
//! transaction under the organization's lock, re-checking that the person
//! acting still manages the organization.

use sqlx::Row;

use super::reauthentication::{password_and_second_factor, Reauthentication};
use super::{Ctx, InSession, Tx, Work};
use crate::applications::{Application, NewCredentials, SignIn, SigningAlg};
use crate::error::{AppError, AppResult};
use crate::factors::Proof;
use crate::oidc::redirect;
use crate::oidc::tokens::{self, Kind};
use crate::server::refusals::Refused;
use crate::server::store::events::AuditEvent;
use crate::server::store::oidc::clients;
use crate::server::store::orgs;
use crate::server::words::audit_detail::Detail;

const MAX_URIS: usize = 10;

/// A registration, or an edit, as typed (URIs one per line). An edit
/// leaves `public` as it was registered.
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub name: String,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub backchannel_logout_uri: String,
    pub public: bool,
    pub require_two_factor: bool,
    pub id_token_alg: SigningAlg,
    pub resource_server: bool,
    pub service: bool,
}

impl Registration {
    /// Validated, for the organization of `actor`.
    fn validated(&self, actor: Actor, public: bool, issuer: Option<&str>) -> AppResult<clients::NewClient> {
        let field = || "backchannel_logout_uri".to_string();
        let backchannel = crate::server::store::oidc::lines(&self.backchannel_logout_uri);
        if backchannel.len() > 1 {
            return Err(Refused::TooManyUris { field: field(), max: 1 }.into());
        }
        let backchannel = match backchannel.first() {
            Some(uri) => Some(
                redirect::validate_backchannel(uri, issuer)
                    .map_err(|why| Refused::RedirectUriRefused { field: field(), why })?,
            ),
            None => None,
        };
        Ok(clients::NewClient {
            org_id: actor.org_id(),
            name: crate::validate::org_name(&self.name)?,
            redirect_uris: uris(&self.redirect_uris, "redirect_uris", true)?,
            post_logout_redirect_uris: uris(&self.post_logout_redirect_uris, "post_logout_redirect_uris", false)?,
            secret_hash: None,
            require_two_factor: self.require_two_factor,
            id_token_alg: self.id_token_alg,
            // A public client has no secret to introspect with.
            resource_server: self.resource_server && !public,
            backchannel_logout_uri: backchannel,
            // Client credentials need a secret to present.
            service: self.service && !public,
        })
    }
}

/// The audit row's parameters of a registration or an edit.
fn described(client_id: &str, new: &clients::NewClient, public: bool) -> Detail {
    Detail::new()
        .with("name", new.name.as_str())
        .with("client_id", client_id)
        .with("public", public)
        .with("requires_two_factor", new.require_two_factor)
        .with("id_token_alg", new.id_token_alg.as_str())
        .with("resource_server", new.resource_server)
        .with("backchannel_logout", new.backchannel_logout_uri.is_some())
        .with("service", new.service)
}

fn uris(text: &str, field: &str, at_least_one: bool) -> AppResult<Vec<String>> {
    let lines = crate::server::store::oidc::lines(text);
    let field = field.to_string();
    if at_least_one && lines.is_empty() {
        return Err(Refused::RedirectUriMissing { field }.into());
    }
    if lines.len() > MAX_URIS {
        return Err(Refused::TooManyUris { field, max: MAX_URIS }.into());
    }
    lines
        .iter()
        .map(|l| {
            redirect::validate_registration(l)
                .map_err(|why| Refused::RedirectUriRefused { field: field.clone(), why }.into())
        })
        .collect()
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
            return Err(Refused::YourRoleChanged.into());
        }
    }
    Ok(())
}

/// The use case's unit of work, with the organization locked and the manager re-checked.
async fn begin<'a>(cx: &Ctx<'a>, actor: Actor) -> AppResult<Work<'a>> {
    checked(cx.work().await?, actor).await
}

/// `work`, once the manager is found to be one still (abandoned otherwise).
async fn checked(mut work: Work<'_>, actor: Actor) -> AppResult<Work<'_>> {
    if let Err(e) = check_manager(work.tx(), actor).await {
        work.abandon().await?;
        return Err(e);
    }
    Ok(work)
}

async fn audit(tx: &mut Tx, actor: Actor, kind: AuditEvent, detail: Detail, now: i64) -> AppResult<()> {
    let (actor_id, detail) = match actor {
        Actor::Manager { user_id, .. } => (Some(user_id), detail),
        Actor::Operator { .. } => (None, detail.with("by_operator", true)),
    };
    orgs::audit(&mut **tx, actor.org_id(), actor_id, kind, &detail.stored(), now).await
}

fn application(client_id: &str) -> Detail {
    Detail::new().with("client_id", client_id)
}

/// Registers an application; the secret (confidential clients) is returned once, never stored.
#[tracing::instrument(skip_all)]
pub async fn register(cx: &Ctx<'_>, actor: Actor, registration: &Registration) -> AppResult<NewCredentials> {
    let new = registration.validated(actor, registration.public, cx.state.settings.public_url.as_deref())?;
    let secret = (!registration.public).then(|| tokens::new(Kind::ClientSecret));
    let new =
        clients::NewClient { secret_hash: secret.as_deref().and_then(|s| tokens::hash(Kind::ClientSecret, s)), ..new };
    let client_id = tokens::new_client_id();
    let mut work = begin(cx, actor).await?;
    clients::insert(work.tx(), &client_id, &new, cx.now).await?;
    let detail = described(&client_id, &new, registration.public);
    audit(work.tx(), actor, AuditEvent::ApplicationRegistered, detail, cx.now).await?;
    work.commit().await?;
    Ok(NewCredentials { client_id, client_secret: secret })
}

/// Edits an application: its name, addresses, signing algorithm, whether it
/// requires 2FA or is a resource server. Whether it has a secret stays.
#[tracing::instrument(skip_all)]
pub async fn update(cx: &Ctx<'_>, actor: Actor, client_id: &str, edit: &Registration) -> AppResult<()> {
    let current =
        clients::find(&cx.state.db, client_id).await?.filter(|c| c.org_id == actor.org_id()).ok_or_else(missing)?;
    let new = edit.validated(actor, current.public(), cx.state.settings.public_url.as_deref())?;
    let mut work = begin(cx, actor).await?;
    if !clients::update(work.tx(), client_id, &new).await? {
        work.abandon().await?;
        return Err(missing());
    }
    let detail = described(client_id, &new, current.public());
    audit(work.tx(), actor, AuditEvent::ApplicationUpdated, detail, cx.now).await?;
    work.commit().await
}

fn missing() -> AppError {
    Refused::ApplicationNotFound.into()
}

/// A new secret for a confidential client; the old one stops working at once.
/// The manager gives their password again, and a current code from their app
/// if they have 2FA, which is used up in the same transaction as the change.
// `skip_all`: the password, the code and the secret never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn regenerate_secret(
    cx: &Ctx<'_>,
    actor: Actor,
    manager: InSession<'_>,
    reauthentication: Reauthentication,
    client_id: &str,
) -> AppResult<NewCredentials> {
    let proven = password_and_second_factor(cx, manager, reauthentication, "to regenerate the secret").await?;
    let secret = tokens::new(Kind::ClientSecret);
    let hash = tokens::hash(Kind::ClientSecret, &secret).ok_or(AppError::Internal)?;
    let mut work = checked(cx.work_proven(proven).await?, actor).await?;
    if !clients::set_secret(work.tx(), actor.org_id(), client_id, &hash).await? {
        work.abandon().await?;
        return Err(Refused::NoConfidentialApplication.into());
    }
    audit(work.tx(), actor, AuditEvent::ApplicationSecretRegenerated, application(client_id), cx.now).await?;
    work.commit().await?;
    Ok(NewCredentials { client_id: client_id.to_string(), client_secret: Some(secret) })
}

pub async fn set_disabled(cx: &Ctx<'_>, actor: Actor, client_id: &str, disabled: bool) -> AppResult<()> {
    let mut work = begin(cx, actor).await?;
    if !clients::set_disabled(work.tx(), actor.org_id(), client_id, disabled).await? {
        work.abandon().await?;
        return match clients::find(&cx.state.db, client_id).await? {
            Some(c) if c.org_id == actor.org_id() => Ok(()),
            _ => Err(missing()),
        };
    }
    let kind = if disabled { AuditEvent::ApplicationDisabled } else { AuditEvent::ApplicationEnabled };
    audit(work.tx(), actor, kind, application(client_id), cx.now).await?;
    work.commit().await
}

/// Deletes the application with every code, token, consent and sign-in of it.
pub async fn delete(cx: &Ctx<'_>, actor: Actor, client_id: &str) -> AppResult<()> {
    let name =
        clients::find(&cx.state.db, client_id).await?.filter(|c| c.org_id == actor.org_id()).ok_or_else(missing)?.name;
    let mut work = begin(cx, actor).await?;
    if !clients::delete(work.tx(), actor.org_id(), client_id).await? {
        return Err(missing());
    }
    audit(work.tx(), actor, AuditEvent::ApplicationDeleted, application(client_id).with("name", name), cx.now).await?;
    work.commit().await
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
            id_token_alg: c.id_token_alg,
            resource_server: c.resource_server,
            backchannel_logout_uri: c.backchannel_logout_uri,
            service: c.service,
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
        .ok_or_else(|| Refused::NoOrganizationAt { slug: slug.to_string() }.into())
}
