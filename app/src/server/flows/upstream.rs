//! Signing in through another identity provider, connecting one to an
//! account, and the Hub seed's rule: such a sign-in is not asked for the
//! second factor, and an account may drop its password to sign in only
//! through its providers (or a passkey).
//!
//! The request a browser starts is sealed into a cookie of its own (bound to
//! that browser, 10 minutes, used once); the answer's `state` must match it.

use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::reauthentication::{self, Reauthentication};
use super::{Ctx, InSession, NewSession};
use crate::error::AppResult;
use crate::factors::Proof;
use crate::model::User;
use crate::policy::upstream::{self as rules, SignInMethods, Unlinked};
use crate::server::guards::attempts::{self, Counter};
use crate::server::refusals::{Refused, UpstreamRefused};
use crate::server::store::events::SecurityEvent;
use crate::server::store::pending_logins::{self, FirstStep};
use crate::server::store::upstream::{identities, providers, providers::Provider};
use crate::server::store::{credentials, org_settings, sealed, sessions, users, webauthn::keys};
use crate::server::upstream::{redirect_uri, Identity, Pending};
use crate::upstream::{ConnectedAccounts, ProviderButton, ProviderLink};

pub const COOKIE: &str = "portcullis_upstream";
const PURPOSE: &str = "upstream-sign-in";
const PREFIX: &str = "ups_";
/// How long a started sign-in may take at the provider.
pub const REQUEST_SECS: i64 = 600;

#[derive(Serialize, Deserialize)]
enum Purpose {
    SignIn { next: Option<String> },
    Connect { user_id: i64, session_hash: String },
}

#[derive(Serialize, Deserialize)]
struct Started {
    provider_id: i64,
    pending: Pending,
    purpose: Purpose,
    /// Where the browser goes (a plain form's answer hands it over from our page).
    authorize_url: String,
}

/// The sealed request's cookie (`None`: its end). Only this flow's paths get it back;
/// `SameSite=Lax`: the provider's redirect back is a top-level navigation.
pub fn request_cookie(value: Option<&str>, settings: &crate::server::Settings) -> String {
    let secure = if settings.secure_cookies { "; Secure" } else { "" };
    let max_age = if value.is_some() { REQUEST_SECS } else { 0 };
    format!("{COOKIE}={}; Path=/login/upstream; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}", value.unwrap_or(""))
}

/// A started request: the provider's URL, and the cookie that binds the answer to this browser.
pub struct Redirect {
    pub url: String,
    pub cookie: String,
}

/// The login page's buttons. A provider whose issuer could not be reached
/// lately says so; password sign-in never waits for one.
pub async fn buttons(cx: &Ctx<'_>) -> AppResult<Vec<ProviderButton>> {
    let off = redirect_uri(cx.state.settings.public_url.as_deref()).is_none();
    Ok(cx
        .state
        .upstreams
        .providers(cx.db(), &cx.state.keys)
        .await?
        .iter()
        .map(|p| {
            let unavailable = if off {
                Some("this server has no public URL set.".to_string())
            } else {
                cx.state.upstreams.check_in_background(p, cx.now);
                match cx.state.upstreams.availability(p, cx.now) {
                    crate::server::upstream::Availability::Unavailable(why) => Some(why),
                    _ => None,
                }
            };
            ProviderButton { id: p.id, label: p.label(), unavailable }
        })
        .collect())
}

async fn provider(cx: &Ctx<'_>, id: i64) -> AppResult<Provider> {
    Ok(providers::by_id(cx.db(), &cx.state.keys, id).await?.ok_or(UpstreamRefused::UnknownProvider)?)
}

fn callback(cx: &Ctx<'_>, p: &Provider) -> AppResult<String> {
    let why = "this server has no public URL set.".to_string();
    Ok(redirect_uri(cx.state.settings.public_url.as_deref())
        .ok_or(UpstreamRefused::Unavailable { provider: p.name.clone(), why })?)
}

async fn begin(cx: &Ctx<'_>, p: &Provider, purpose: Purpose) -> AppResult<Redirect> {
    let (url, pending) = cx.state.upstreams.begin(p, &callback(cx, p)?, cx.now).await?;
    let started = Started { provider_id: p.id, pending, purpose, authorize_url: url.clone() };
    let sealed = sealed::seal(&cx.state.keys, PURPOSE, PREFIX, &started, cx.now + REQUEST_SECS)?;
    Ok(Redirect { url, cookie: sealed })
}

/// "Sign in with Acme SSO": limited per address, like other sign-ins.
pub async fn start_sign_in(cx: &Ctx<'_>, provider_id: i64, next: Option<String>) -> AppResult<Redirect> {
    cx.state.start_limiter.check(cx.meta.ip, cx.now)?;
    let p = provider(cx, provider_id).await?;
    begin(cx, &p, Purpose::SignIn { next }).await
}

/// "Connect" on the Account page, after re-authentication: the password
/// (and a second factor with 2FA on); an account without a password signed
/// in within the last minutes.
// `skip_all`: the password and the code never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn start_connect(
    cx: &Ctx<'_>,
    s: InSession<'_>,
    provider_id: i64,
    proof: Reauthentication,
) -> AppResult<Redirect> {
    let p = provider(cx, provider_id).await?;
    if users::has_password(cx.db(), s.user.id).await? {
        let proven = reauthentication::password_and_second_factor(cx, s, proof, "to connect it").await?;
        // The code is used up here, for this connection.
        let work = cx.work_proven(proven).await?;
        work.commit().await?;
    } else {
        let at = sessions::password_given_at(cx.db(), s.session_hash).await?.ok_or(Refused::SignedOut)?;
        if crate::policy::must_reauthenticate(at, cx.now) {
            return Err(UpstreamRefused::SignInAgainToConnect.into());
        }
    }
    let purpose = Purpose::Connect { user_id: s.user.id, session_hash: s.session_hash.to_string() };
    begin(cx, &p, purpose).await
}

/// The provider's URL of a request this browser started (a plain form's hand-over).
pub fn authorize_url(cx: &Ctx<'_>, cookie: Option<&str>) -> Option<String> {
    let (started, _): (Started, i64) = sealed::open(&cx.state.keys, PURPOSE, PREFIX, cookie?, cx.now)?;
    Some(started.authorize_url)
}

/// The provider's answer, as the callback's query carries it.
#[derive(Debug, Default, Deserialize)]
pub struct Answer {
    pub code: Option<String>,
    pub state: Option<String>,
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// What the answer did.
pub enum Finished {
    SignedIn {
        user: User,
        session: NewSession,
        next: Option<String>,
    },
    /// An organization of the account asks for this server's second factor
    /// after a provider's sign-in that named none: the login is half-way.
    SecondFactor {
        pending_token: String,
        next: Option<String>,
    },
    Connected {
        provider: String,
    },
}

/// How a linked identity's sign-in ends.
enum Linked {
    SignedIn(User, NewSession),
    SecondFactor(String),
}

/// The callback: the request this browser started (its cookie), used once,
/// the provider's answer checked, then the sign-in or the connection.
pub async fn finish(
    cx: &Ctx<'_>,
    cookie: Option<&str>,
    previous_session: Option<&str>,
    answer: Answer,
) -> AppResult<Finished> {
    let cookie = cookie.ok_or(UpstreamRefused::StateMismatch)?;
    let (started, expires_at): (Started, i64) =
        sealed::open(&cx.state.keys, PURPOSE, PREFIX, cookie, cx.now).ok_or(UpstreamRefused::StateMismatch)?;
    let state = answer.state.as_deref().unwrap_or("");
    if !bool::from(state.as_bytes().ct_eq(started.pending.state.as_bytes())) {
        return Err(UpstreamRefused::StateMismatch.into());
    }
    if !sealed::use_once(cx.db(), &sealed::hash(cookie), expires_at).await? {
        return Err(UpstreamRefused::StateMismatch.into());
    }
    let p = provider(cx, started.provider_id).await?;
    if let Some(error) = answer.error {
        let description = answer.error_description.map(|d| d.chars().take(200).collect());
        return Err(UpstreamRefused::ProviderSaid { provider: p.name.clone(), error, description }.into());
    }
    // RFC 9207: where the provider names itself, it must be the one asked.
    if let Some(iss) = answer.iss.as_deref() {
        if iss != cx.state.upstreams.issuer(&p, cx.now).await? {
            return Err(UpstreamRefused::IssuerMismatch { provider: p.name.clone() }.into());
        }
    }
    let code = answer.code.ok_or(UpstreamRefused::InvalidToken { provider: p.name.clone() })?;
    let identity = cx.state.upstreams.finish(&p, &callback(cx, &p)?, &started.pending, &code, cx.now).await?;
    match started.purpose {
        Purpose::SignIn { next } => match sign_in(cx, &p, previous_session, identity).await? {
            Linked::SignedIn(user, session) => Ok(Finished::SignedIn { user, session, next }),
            Linked::SecondFactor(pending_token) => Ok(Finished::SecondFactor { pending_token, next }),
        },
        Purpose::Connect { user_id, session_hash } => {
            // Still the session that asked, in the browser that asked.
            let current = previous_session.map(sessions::token_hash);
            if current.as_deref() != Some(session_hash.as_str()) {
                return Err(Refused::SignedOut.into());
            }
            connect(cx, &p, user_id, identity).await?;
            Ok(Finished::Connected { provider: p.name })
        }
    }
}

/// The Hub rule: the identity signs in to its account without a second
/// factor here. An identity no account holds makes one, if the provider may
/// and the address is verified and free; never links to an existing account.
async fn sign_in(cx: &Ctx<'_>, p: &Provider, previous_session: Option<&str>, identity: Identity) -> AppResult<Linked> {
    let multi_factor = rules::says_multi_factor(&identity.amr);
    let proof = if multi_factor { Proof::UpstreamMfa } else { Proof::Upstream };
    if let Some(user_id) = identities::user_for(cx.db(), p.id, &identity.subject).await? {
        let user = users::find_by_id(cx.db(), user_id).await?.ok_or(Refused::SignedOut)?;
        let mut work = cx.work().await?;
        if let Some(previous) = previous_session {
            sessions::delete(&mut **work.tx(), previous).await?;
        }
        identities::touch(&mut **work.tx(), p.id, &identity.subject, cx.now).await?;
        work.security_about(user_id, SecurityEvent::UpstreamSignIn, &p.name).await?;
        // Without 2FA there is no code to ask for: the organization's gate confines the member instead.
        let ask_code = !multi_factor
            && org_settings::upstream_mfa_required_for(&mut **work.tx(), user_id).await?
            && credentials::is_enabled(&mut **work.tx(), user_id).await?;
        let linked = if ask_code {
            Linked::SecondFactor(
                pending_logins::create_after(&mut **work.tx(), user_id, FirstStep::Upstream, cx.now).await?,
            )
        } else {
            Linked::SignedIn(user, NewSession { token: work.signed_in(user_id, proof).await? })
        };
        work.commit().await?;
        if let Linked::SecondFactor(pending_token) = &linked {
            super::sms::open_login_step(cx, user_id, pending_token).await;
        }
        return Ok(linked);
    }
    let email = identity.email.as_deref().and_then(|e| crate::validate::email(e).ok());
    let taken = match &email {
        Some(email) => users::id_by_email(cx.db(), email).await?.is_some(),
        None => false,
    };
    let email = match rules::on_unlinked(p.allow_sign_up, email.as_deref(), identity.email_verified, taken) {
        Unlinked::SignUp { email } => email,
        Unlinked::ExistingAccount => return Err(UpstreamRefused::EmailCollision { provider: p.name.clone() }.into()),
        Unlinked::Refuse { email_unverified } => {
            return Err(UpstreamRefused::NoLinkedAccount { provider: p.name.clone(), email_unverified }.into())
        }
    };
    let invited = crate::server::store::invitations::is_invited(cx.db(), &email, cx.now).await?;
    crate::policy::may_sign_up(&cx.state.settings.sign_up, &email, invited).map_err(Refused::Policy)?;
    if let Some(ip) = cx.meta.ip {
        // Counted like every sign-up from this address.
        let _counted = attempts::reserve(cx.db(), Counter::sign_up_address(ip), cx.now).await?;
    }
    let name = identity
        .name
        .as_deref()
        .and_then(|n| crate::validate::person_name(n).ok())
        .unwrap_or_else(|| email.split('@').next().unwrap_or("New user").to_string());
    let mut work = cx.work().await?;
    let user = users::create_without_password(&mut **work.tx(), &name, &email, cx.now).await?;
    identities::link(&mut **work.tx(), (p.id, &identity.subject), user.id, Some(&email), cx.now).await?;
    if let Some(previous) = previous_session {
        sessions::delete(&mut **work.tx(), previous).await?;
    }
    work.security_about(user.id, SecurityEvent::ProviderConnected, &p.name).await?;
    let token = work.signed_in(user.id, proof).await?;
    work.security_about(user.id, SecurityEvent::UpstreamSignIn, &p.name).await?;
    work.commit().await?;
    tracing::info!(user_id = user.id, provider = %p.name, "account created through an identity provider");
    Ok(Linked::SignedIn(user, NewSession { token }))
}

async fn connect(cx: &Ctx<'_>, p: &Provider, user_id: i64, identity: Identity) -> AppResult<()> {
    let email = identity.email.as_deref().and_then(|e| crate::validate::email(e).ok());
    let mut work = cx.work().await?;
    identities::link(&mut **work.tx(), (p.id, &identity.subject), user_id, email.as_deref(), cx.now).await?;
    work.security_about(user_id, SecurityEvent::ProviderConnected, &p.name).await?;
    work.commit().await
}

async fn methods<'c>(tx: &mut sqlx::Transaction<'c, sqlx::Any>, user_id: i64) -> AppResult<SignInMethods> {
    Ok(SignInMethods {
        password: users::has_password(&mut **tx, user_id).await?,
        providers: identities::of_user(&mut **tx, user_id).await?.len(),
        passkeys: keys::count(&mut **tx, user_id).await?,
    })
}

/// "Connected accounts" and "Password" on the Account page.
pub async fn connected(cx: &Ctx<'_>, s: InSession<'_>) -> AppResult<ConnectedAccounts> {
    let linked = identities::of_user(cx.db(), s.user.id).await?;
    let has_password = users::has_password(cx.db(), s.user.id).await?;
    let passkeys = keys::count(cx.db(), s.user.id).await?;
    let providers = cx
        .state
        .upstreams
        .providers(cx.db(), &cx.state.keys)
        .await?
        .iter()
        .map(|p| {
            let link = linked.iter().find(|l| l.provider_id == p.id);
            ProviderLink {
                id: p.id,
                name: p.name.clone(),
                connected_since: link.map(|l| l.created_at),
                email: link.and_then(|l| l.email.clone()),
            }
        })
        .collect();
    Ok(ConnectedAccounts {
        providers,
        has_password,
        can_remove_password: has_password && (!linked.is_empty() || passkeys > 0),
        two_factor: credentials::is_enabled(cx.db(), s.user.id).await?,
    })
}

/// "Disconnect": not the account's last way to sign in.
pub async fn disconnect(cx: &Ctx<'_>, s: InSession<'_>, provider_id: i64) -> AppResult<()> {
    let p = provider(cx, provider_id).await?;
    let mut work = cx.work().await?;
    if !identities::unlink(&mut **work.tx(), s.user.id, p.id).await? {
        work.abandon().await?;
        return Err(UpstreamRefused::NotConnected.into());
    }
    // Counted inside the transaction: two racing removals cannot both leave the other.
    if !rules::leaves_a_way_in(methods(work.tx(), s.user.id).await?) {
        work.abandon().await?;
        return Err(UpstreamRefused::LastWayToSignIn.into());
    }
    work.security_about(s.user.id, SecurityEvent::ProviderDisconnected, &p.name).await?;
    work.commit().await
}

/// "Remove password", after re-authentication: the account then signs in
/// through its providers or passkeys only; its other sessions end.
// `skip_all`: the password and the code never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn remove_password(cx: &Ctx<'_>, s: InSession<'_>, proof: Reauthentication) -> AppResult<()> {
    if !users::has_password(cx.db(), s.user.id).await? {
        return Err(UpstreamRefused::NoPassword.into());
    }
    let proven = reauthentication::password_and_second_factor(cx, s, proof, "to remove it").await?;
    let mut work = cx.work_proven(proven).await?;
    users::remove_password(&mut **work.tx(), s.user.id).await?;
    if !rules::leaves_a_way_in(methods(work.tx(), s.user.id).await?) {
        work.abandon().await?;
        return Err(UpstreamRefused::LastWayToSignIn.into());
    }
    sessions::delete_others(&mut **work.tx(), s.user.id, s.session_hash).await?;
    work.security(s.user.id, SecurityEvent::PasswordRemoved).await?;
    work.commit().await
}
