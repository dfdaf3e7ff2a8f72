//! Personal access tokens and application passwords: made after the
//! account's password (and, with two-factor authentication on, a current
//! code), shown once, listed, revoked. Each change and its security-log row
//! commit together.

use super::Ctx;
use crate::api_access::{ApiCredentials, CredentialKind, NewSecret, Scope, EXPIRY_DAYS};
use crate::error::{AppError, AppResult};
use crate::model::User;
use crate::server::api_tokens::{self, NewCredential};
use crate::server::events::{self, SecurityEvent};
use crate::server::second_factor::{self, Accept, Claim};
use crate::server::{credentials, orgs};

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
        return Err(AppError::validation("name", "Give it a name of 1 to 100 characters, to recognise it later."));
    }
    Ok(name.to_string())
}

/// "Generate token" on the Account page.
// `skip_all`: the password, the code and the new secret never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn create_token(cx: &Ctx<'_>, user: &User, input: NewToken) -> AppResult<NewSecret> {
    let name = valid_name(&input.name)?;
    if input.scopes.is_empty() {
        return Err(AppError::validation("scopes", "Choose at least one scope."));
    }
    if !EXPIRY_DAYS.contains(&input.expires_in_days) {
        return Err(AppError::validation("expires_in_days", "Choose an expiry of 30, 90 or 365 days, or none."));
    }
    let expires_at = (input.expires_in_days > 0).then(|| cx.now + input.expires_in_days * 86_400);
    let new = NewCredential {
        user_id: user.id,
        kind: CredentialKind::PersonalAccessToken,
        name: &name,
        scopes: &input.scopes,
        expires_at,
    };
    create(cx, user, new, input.password, input.code, SecurityEvent::ApiTokenCreated).await
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
pub async fn create_app_password(cx: &Ctx<'_>, user: &User, input: NewAppPassword) -> AppResult<NewSecret> {
    let name = valid_name(&input.name)?;
    let new = NewCredential {
        user_id: user.id,
        kind: CredentialKind::ApplicationPassword,
        name: &name,
        scopes: &Scope::ALL,
        expires_at: None,
    };
    create(cx, user, new, input.password, input.code, SecurityEvent::AppPasswordCreated).await
}

/// Re-authenticates (the password, and the app's code when 2FA is on), then
/// stores the secret's hash with its log row in one transaction.
async fn create(
    cx: &Ctx<'_>,
    user: &User,
    new: NewCredential<'_>,
    password: String,
    code: String,
    event: SecurityEvent,
) -> AppResult<NewSecret> {
    let state = cx.state;
    crate::validate::password_length(&password)?;
    let two_factor = credentials::is_enabled(cx.db(), user.id).await?;
    let code = two_factor.then_some((code.as_str(), Accept::Totp));
    let challenge = second_factor::challenge(state, user.id, code, cx.meta)
        .await?
        .password(state, &user.email, password, cx.meta)
        .await?;
    let secret = api_tokens::generate(new.kind);
    let mut tx = cx.begin().await?;
    let claim = challenge.claim(&mut tx, state, cx.meta).await?;
    if claim == Claim::Wrong {
        tx.rollback().await?;
        return Err(challenge.failed(state, cx.meta).await);
    }
    let id = api_tokens::insert(&mut *tx, &new, &secret, cx.now).await?;
    events::record(&mut *tx, user.id, event, cx.meta, cx.now).await?;
    tx.commit().await?;
    challenge.passed(state, claim).await?;
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
    let mut tx = cx.begin().await?;
    let Some(kind) = api_tokens::revoke(&mut *tx, user.id, id, cx.now).await? else {
        tx.rollback().await?;
        return Err(AppError::not_found("No such token or application password: it may have been revoked already."));
    };
    let event = match kind {
        CredentialKind::PersonalAccessToken => SecurityEvent::ApiTokenRevoked,
        CredentialKind::ApplicationPassword => SecurityEvent::AppPasswordRevoked,
    };
    events::record(&mut *tx, user.id, event, cx.meta, cx.now).await?;
    tx.commit().await?;
    Ok(())
}

/// "Allow personal access tokens and application passwords for this
/// organization's data": owners only, audited.
pub async fn set_org_api_access(cx: &Ctx<'_>, m: super::InOrg<'_>, allow: bool) -> AppResult<()> {
    crate::policy::may_set_api_access(m.org.my_role)?;
    let mut tx = cx.begin().await?;
    api_tokens::set_org_access(&mut *tx, m.org.id, allow).await?;
    let kind = if allow {
        crate::server::events::AuditEvent::ApiAccessAllowed
    } else {
        crate::server::events::AuditEvent::ApiAccessDisallowed
    };
    orgs::audit(&mut *tx, m.org.id, m.user.id, kind, "", cx.now).await?;
    tx.commit().await?;
    Ok(())
}
