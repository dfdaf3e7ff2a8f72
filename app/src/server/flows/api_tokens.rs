//! Personal access tokens and application passwords: made after the
//! account's password (and, with two-factor authentication on, a current
//! code), shown once, listed, revoked. Each change and its security-log row
//! commit together.

use super::reauthentication::{password_and_second_factor, Reauthentication};
use super::{Ctx, InSession};
use crate::api_access::{ApiCredentials, CredentialKind, NewSecret, Scope, EXPIRY_DAYS};
use crate::error::AppResult;
use crate::model::User;
use crate::server::refusals::Refused;
use crate::server::store::api_tokens::{self, NewCredential};
use crate::server::store::events::SecurityEvent;
use crate::server::store::outbox::{Message, MessageKind};
use crate::server::words::audit_detail::Detail;

pub struct NewToken {
    pub name: String,
    pub scopes: Vec<Scope>,
    /// One of `EXPIRY_DAYS`; 0 is "no expiry".
    pub expires_in_days: i64,
    pub password: String,
    /// Needed when the account has two-factor authentication.
    pub code: String,
}

fn valid_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(Refused::TokenNameInvalid.into());
    }
    Ok(name.to_string())
}

/// "Generate token" on the Account page.
// `skip_all`: the password, the code and the new secret never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn create_token(cx: &Ctx<'_>, s: InSession<'_>, input: NewToken) -> AppResult<NewSecret> {
    let name = valid_name(&input.name)?;
    if input.scopes.is_empty() {
        return Err(Refused::NoScopeChosen.into());
    }
    if !EXPIRY_DAYS.contains(&input.expires_in_days) {
        return Err(Refused::ExpiryInvalid.into());
    }
    let expires_at = (input.expires_in_days > 0).then(|| cx.now + input.expires_in_days * 86_400);
    let new = NewCredential {
        user_id: s.user.id,
        kind: CredentialKind::PersonalAccessToken,
        name: &name,
        scopes: &input.scopes,
        expires_at,
    };
    create(cx, s, new, input.password, input.code, SecurityEvent::ApiTokenCreated).await
}

pub struct NewAppPassword {
    pub name: String,
    pub password: String,
    pub code: String,
}

/// "Generate application password": for programs that can send only an
/// email and a password (HTTP Basic), on /api/v1 only. It may do what the
/// account's password may do there: every scope, no expiry.
// `skip_all`: the password, the code and the new secret never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn create_app_password(cx: &Ctx<'_>, s: InSession<'_>, input: NewAppPassword) -> AppResult<NewSecret> {
    let name = valid_name(&input.name)?;
    let new = NewCredential {
        user_id: s.user.id,
        kind: CredentialKind::ApplicationPassword,
        name: &name,
        scopes: &Scope::ALL,
        expires_at: None,
    };
    create(cx, s, new, input.password, input.code, SecurityEvent::AppPasswordCreated).await
}

/// Re-authenticates (the password; with 2FA on, a current code with it, or
/// a security key confirmed just before), then stores the secret's hash
/// with its log row in one unit of work.
async fn create(
    cx: &Ctx<'_>,
    s: InSession<'_>,
    new: NewCredential<'_>,
    password: String,
    code: String,
    event: SecurityEvent,
) -> AppResult<NewSecret> {
    let proven = password_and_second_factor(cx, s, Reauthentication { password, code }, "to generate it").await?;
    let secret = api_tokens::generate(new.kind);
    let mut work = cx.work_proven(proven).await?;
    let id = api_tokens::insert(&mut **work.tx(), &new, &secret, cx.now).await?;
    work.security(s.user.id, event).await?;
    let message = Message::to(s.user.id, MessageKind::TokenCreated).with("name", new.name);
    work.send(message.with("kind", new.kind.as_str())).await?;
    work.commit().await?;
    Ok(NewSecret { id, secret })
}

/// Both lists of the Account page.
pub async fn list(cx: &Ctx<'_>, user: &User) -> AppResult<ApiCredentials> {
    let (tokens, app_passwords) = api_tokens::list_for_user(cx.db(), user.id)
        .await?
        .into_iter()
        .partition(|c| c.kind == CredentialKind::PersonalAccessToken);
    Ok(ApiCredentials { tokens, app_passwords })
}

/// "Revoke": the secret stops working at once.
pub async fn revoke(cx: &Ctx<'_>, user: &User, id: i64) -> AppResult<()> {
    let mut work = cx.work().await?;
    let Some(kind) = api_tokens::revoke(&mut **work.tx(), user.id, id, cx.now).await? else {
        work.abandon().await?;
        return Err(Refused::CredentialGone.into());
    };
    let event = match kind {
        CredentialKind::PersonalAccessToken => SecurityEvent::ApiTokenRevoked,
        CredentialKind::ApplicationPassword => SecurityEvent::AppPasswordRevoked,
    };
    work.security(user.id, event).await?;
    work.commit().await
}

/// "Allow personal access tokens and application passwords for this
/// organization's data": owners only, audited.
pub async fn set_org_api_access(cx: &Ctx<'_>, m: super::InOrg<'_>, allow: bool) -> AppResult<()> {
    crate::policy::may_set_api_access(m.org.my_role)?;
    let mut work = cx.work().await?;
    api_tokens::set_org_access(&mut **work.tx(), m.org.id, allow).await?;
    let kind = if allow {
        crate::server::store::events::AuditEvent::ApiAccessAllowed
    } else {
        crate::server::store::events::AuditEvent::ApiAccessDisallowed
    };
    work.audit(m.org.id, m.user.id, kind, Detail::new()).await?;
    work.commit().await
}
