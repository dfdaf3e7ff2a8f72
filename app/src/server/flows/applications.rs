//! The Applications tab's use cases (and the CLI's): register, edit,
//! regenerate the secret, disable or enable, delete; each with its audit row, in one
//! transaction under the organization's lock, re-checking that the person
//! acting still manages the organization.

use sqlx::Row;

use super::reauthentication::{password_and_second_factor, Reauthentication};
use super::{Ctx, InSession, Tx, Work};
use crate::applications::{Application, NewCredentials, OrgName, SignIn, SigningAlg};
use crate::error::{AppError, AppResult};
use crate::factors::Proof;
use crate::oidc::redirect;
use crate::oidc::tokens::{self, Kind};
use crate::policy::{may_manage, ManagerTask};
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
    /// A shorter refresh token life, in seconds (`None` or 0: the default).
    pub refresh_token_secs: Option<i64>,
    /// The slugs of other organizations whose members it admits; `None` keeps them as they are.
    pub also_admit: Option<Vec<String>>,
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
            refresh_token_secs: tokens::refresh_lifetime_choice(self.refresh_token_secs)
                .map_err(|_| Refused::RefreshLifetimeInvalid)?,
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
        .with("refresh_token_secs", new.refresh_token_secs)
}

/// At most this many organizations admitted besides the application's own.
const MAX_ADMITTED: usize = 20;

/// The organizations an application is to admit besides the actor's, by slug,
/// resolved inside the transaction. A manager adds only organizations they
/// manage too (their members' managers agree); one admitted already may stay
/// or go. To a manager an unknown slug looks like one they do not manage.
async fn admitted(tx: &mut Tx, actor: Actor, slugs: &[String], current: &[i64]) -> AppResult<(Vec<i64>, Vec<String>)> {
    let (mut ids, mut names) = (Vec::new(), Vec::new());
    for slug in slugs.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        let row = sqlx::query("SELECT id, name FROM organizations WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut **tx)
            .await?;
        let refused = || -> AppError {
            match actor {
                Actor::Manager { .. } => Refused::MayNotAdmit { org: slug.to_string() }.into(),
                Actor::Operator { .. } => Refused::NoOrganizationAt { slug: slug.to_string() }.into(),
            }
        };
        let Some(row) = row else { return Err(refused()) };
        let (id, name): (i64, String) = (row.try_get("id")?, row.try_get("name")?);
        if id == actor.org_id() || ids.contains(&id) {
            continue;
        }
        if let Actor::Manager { user_id, .. } = actor {
            let role = orgs::role_of_in(tx, id, user_id).await?;
            let manages = role.is_some_and(|r| may_manage(r, ManagerTask::ManageApplications).is_ok());
            if !manages && !current.contains(&id) {
                return Err(Refused::MayNotAdmit { org: slug.to_string() }.into());
            }
        }
        ids.push(id);
        names.push(name);
    }
    if ids.len() > MAX_ADMITTED {
        return Err(Refused::MayNotAdmitSoMany { max: MAX_ADMITTED }.into());
    }
    Ok((ids, names))
}

/// Writes the organizations an application admits, and says so in the audit row.
async fn write_admitted(
    tx: &mut Tx,
    actor: Actor,
    client: i64,
    slugs: Option<&[String]>,
    detail: Detail,
) -> AppResult<Detail> {
    let Some(slugs) = slugs else { return Ok(detail) };
    let current: Vec<i64> = sqlx::query_scalar("SELECT org_id FROM oidc_client_orgs WHERE client_id = $1")
        .bind(client)
        .fetch_all(&mut **tx)
        .await?;
    let (ids, names) = admitted(tx, actor, slugs, &current).await?;
    clients::set_admitted_orgs(tx, client, &ids).await?;
    Ok(detail.with("also_admits", names.join(", ")))
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
    let id = clients::insert(work.tx(), &client_id, &new, cx.now).await?;
    let detail = described(&client_id, &new, registration.public);
    let detail = match write_admitted(work.tx(), actor, id, registration.also_admit.as_deref(), detail).await {
        Ok(detail) => detail,
        Err(e) => {
            work.abandon().await?;
            return Err(e);
        }
    };
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
    let detail = match write_admitted(work.tx(), actor, current.id, edit.also_admit.as_deref(), detail).await {
        Ok(detail) => detail,
        Err(e) => {
            work.abandon().await?;
            return Err(e);
        }
    };
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
    let mut listed = Vec::new();
    for c in clients::list_for_org(db, org_id).await? {
        let admitted = clients::admitted_orgs(db, c.id).await?;
        listed.push((c, admitted));
    }
    Ok(listed
        .into_iter()
        .map(|(c, admitted)| Application {
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
            refresh_token_secs: c.refresh_token_secs,
            also_admits: admitted.into_iter().map(|(_, slug, name)| OrgName { slug, name }).collect(),
            disabled: c.disabled,
            created_at: c.created_at,
        })
        .collect())
}

/// The organizations besides `org_id` whose applications `user_id` manages:
/// those whose members an application of `org_id` may admit.
pub async fn also_manages(cx: &Ctx<'_>, org_id: i64, user_id: i64) -> AppResult<Vec<OrgName>> {
    Ok(orgs::list_for_user(&cx.state.db, user_id)
        .await?
        .into_iter()
        .filter(|o| o.id != org_id && may_manage(o.my_role, ManagerTask::ManageApplications).is_ok())
        .map(|o| OrgName { slug: o.slug, name: o.name })
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
