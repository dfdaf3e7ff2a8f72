//! Use cases of the authorization endpoint: validate and store a request,
//! decide what its user still needs (log in, set up 2FA, consent), record
//! "Allow", and issue the code.

use sqlx::Row;

use super::{admission, Ctx, Issuer};
use crate::applications::AuthorizationPrompt;
use crate::error::{AppError, AppResult};
use crate::factors::Proof;
use crate::model::User;
use crate::oidc::authorize::{self, Params, Refused, Registration};
use crate::oidc::decision::{self, Decision, Facts};
use crate::oidc::error::{ErrorCode, OAuthError};
use crate::oidc::redirect::with_params;
use crate::server::store::credentials;
use crate::server::store::events::SecurityEvent;
use crate::server::store::oidc::{clients, codes, consents, requests};
use crate::server::store::sessions;

pub const CONTINUE_PATH: &str = "/oidc/authorize/continue";
pub const RETURN_PATH: &str = "/oidc/authorize/return";

/// Where a request goes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Log in (again), then come back to this path on our site.
    Login { continue_path: String },
    /// A page for the user (consent, not a member, set up 2FA, or ready), for the request `handle`.
    Prompt { handle: String, prompt: AuthorizationPrompt },
    /// Back to the application, with a code or an error.
    Return(String),
    /// An error page: the request cannot be answered to any application.
    Page(String),
}

/// What the browser's cookies bring to an authorization: its session, and the
/// binding its requests are sealed to (`requests::BINDING_COOKIE`).
#[derive(Debug, Clone, Default)]
pub struct Cookies {
    pub session: Option<String>,
    pub binding: Option<String>,
}

pub fn continue_path(handle: &str) -> String {
    with_params(CONTINUE_PATH, &[("request", handle)])
}

/// The application's redirect URI with an error (and `state`, `iss`).
pub fn error_url(issuer: &str, redirect_uri: &str, state: Option<&str>, error: &OAuthError) -> String {
    let mut params = vec![("error", error.code.as_str()), ("error_description", error.description.as_str())];
    if let Some(state) = state {
        params.push(("state", state));
    }
    params.push(("iss", issuer));
    with_params(redirect_uri, &params)
}

/// The page's "Back to the application" and "Deny": a path on our site that
/// answers `access_denied` to a redirect URI it checks against the registration.
pub fn denied_path(client_id: &str, redirect_uri: &str, state: Option<&str>) -> String {
    let mut params = vec![("client_id", client_id), ("redirect_uri", redirect_uri)];
    if let Some(state) = state {
        params.push(("state", state));
    }
    with_params(RETURN_PATH, &params)
}

/// `GET /oidc/authorize`: validates the request, stores it and decides.
pub async fn start(cx: &Ctx<'_>, params: &Params, cookies: &Cookies) -> AppResult<Outcome> {
    let issuer = cx.issuer()?.to_string();
    let client_id = match authorize::client_id(params) {
        Ok(id) => id,
        Err(Refused::Page(message)) => return Ok(Outcome::Page(message)),
        Err(Refused::Redirect { .. }) => return Ok(Outcome::Page("The request is malformed.".into())),
    };
    let client = match clients::find(&cx.state.db, client_id).await? {
        Some(client) if !client.disabled => client,
        Some(_) => return Ok(Outcome::Page("This application is disabled by its organization.".into())),
        None => return Ok(Outcome::Page("There is no application with this client_id.".into())),
    };
    let registration = Registration { redirect_uris: &client.redirect_uris, public: client.public() };
    match authorize::validate(params, registration) {
        Err(Refused::Page(message)) => Ok(Outcome::Page(message)),
        Err(Refused::Redirect { redirect_uri, state, error }) => {
            Ok(Outcome::Return(error_url(&issuer, &redirect_uri, state.as_deref(), &error)))
        }
        Ok(request) => {
            cx.state.start_limiter.check(cx.meta.ip, cx.now)?;
            let session_hash = cookies.session.as_deref().map(sessions::token_hash);
            let Some(binding) = cookies.binding.as_deref() else { return Err(crate::error::AppError::Internal) };
            let bound = (session_hash.as_deref(), binding);
            let handle = requests::create(&cx.state.keys, client.id, &request, bound, cx.now)?;
            proceed(cx, &handle, cookies, true).await
        }
    }
}

/// Everything the decision is made on.
struct Loaded {
    stored: requests::Stored,
    client: clients::Client,
    org_name: String,
    user: Option<(User, Proof, i64)>,
    facts: Facts,
}

async fn load(cx: &Ctx<'_>, handle: &str, cookies: &Cookies) -> AppResult<Option<Loaded>> {
    let db = &cx.state.db;
    let binding = cookies.binding.as_deref();
    let Some(stored) = requests::load(db, &cx.state.keys, handle, binding, cx.now).await? else { return Ok(None) };
    let session_token = cookies.session.as_deref();
    let Some(client) = clients::find_by_id(db, stored.client).await? else { return Ok(None) };
    let org_name: String =
        sqlx::query_scalar("SELECT name FROM organizations WHERE id = $1").bind(client.org_id).fetch_one(db).await?;
    let user = match session_token {
        Some(token) => session_user(cx, token).await?,
        None => None,
    };
    let (mut member, mut has_two_factor, mut org_refuses, mut unverified) = (false, false, false, false);
    let mut consent = None;
    let mut step_up = false;
    if let Some((user, proof, _)) = &user {
        if !stored.request.acr_values.is_empty() {
            let held = credentials::held(db, user.id).await?;
            step_up = crate::oidc::acr::needs_step_up(&stored.request.acr_values, *proof, held);
        }
        // The organizations' own answers, allowed factors included: the same as their pages give.
        let admitted = admission::admission(db, &client, user.id, cx.now).await?;
        (member, org_refuses, unverified) = (admitted.member, admitted.org_refuses, admitted.unverified);
        has_two_factor = credentials::is_enabled(db, user.id).await?;
        consent = consents::find(db, user.id, client.id)
            .await?
            .map(|(scopes, granted_at)| (scopes.covers(&stored.request.scopes), granted_at));
    }
    let facts = Facts {
        prompt: stored.request.prompt,
        max_age: stored.request.max_age,
        request_created_at: stored.created_at,
        now: cx.now,
        session: user.as_ref().map(|(_, proof, authenticated_at)| decision::Session {
            authenticated_at: *authenticated_at,
            second_factor_used: proof.used_second_factor(),
            // Every login makes a new session; one with the password given after the request counts too.
            logged_in_since_request: *authenticated_at > stored.created_at
                || (*authenticated_at >= stored.created_at
                    && session_token.map(sessions::token_hash) != stored.session_hash),
        }),
        member,
        has_two_factor,
        org_refuses_member: org_refuses,
        org_wants_verified_email: unverified,
        app_requires_two_factor: client.require_two_factor,
        consent,
        step_up,
    };
    Ok(Some(Loaded { stored, client, org_name, user, facts }))
}

/// The signed-in user, how their session began and when they last gave their password.
async fn session_user(cx: &Ctx<'_>, token: &str) -> AppResult<Option<(User, Proof, i64)>> {
    let state = &cx.state;
    let Some(user) = sessions::user_for_token(&state.db, token, cx.now, &state.settings).await? else {
        return Ok(None);
    };
    let row = sqlx::query("SELECT authenticated_at, proof FROM sessions WHERE token_hash = $1")
        .bind(sessions::token_hash(token))
        .fetch_optional(&state.db)
        .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some((user, Proof::parse(&row.try_get::<String, _>("proof")?), row.try_get("authenticated_at")?)))
}

fn gone() -> Outcome {
    Outcome::Page(
        "This sign-in request has expired or was completed already. Go back to the application and sign in again."
            .into(),
    )
}

/// Decides, and when nothing is left to ask and `issue` is set, issues the code.
// `skip_all`: request handles and codes never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn proceed(cx: &Ctx<'_>, handle: &str, cookies: &Cookies, issue: bool) -> AppResult<Outcome> {
    let issuer = cx.issuer()?.to_string();
    let Some(loaded) = load(cx, handle, cookies).await? else { return Ok(gone()) };
    let Loaded { stored, client, org_name, user, facts } = loaded;
    let request = &stored.request;
    if client.disabled {
        let error = OAuthError::new(ErrorCode::AccessDenied, "The application is disabled by its organization.");
        return Ok(Outcome::Return(error_url(&issuer, &request.redirect_uri, request.state.as_deref(), &error)));
    }
    let app = client.name.clone();
    let outcome = match decision::decide(&facts) {
        Decision::Login => Outcome::Login { continue_path: continue_path(handle) },
        Decision::NotMember => prompt(
            handle,
            AuthorizationPrompt::NotMember {
                app,
                org: admission::admitted_names(&cx.state.db, &client, &org_name).await?,
                back: denied_path(&client.client_id, &request.redirect_uri, request.state.as_deref()),
            },
        ),
        Decision::VerifyEmail => prompt(
            handle,
            AuthorizationPrompt::VerifyEmail {
                app,
                org: org_name,
                back: denied_path(&client.client_id, &request.redirect_uri, request.state.as_deref()),
            },
        ),
        Decision::EnrollTwoFactor => prompt(
            handle,
            AuthorizationPrompt::EnrollTwoFactor {
                app,
                org: org_name,
                by_app: client.require_two_factor && !facts.org_refuses_member,
                account: user.map(|(u, ..)| u.email).unwrap_or_default(),
            },
        ),
        Decision::Consent => prompt(
            handle,
            AuthorizationPrompt::Consent {
                app,
                org: org_name,
                scopes: request.scopes.iter().map(|s| s.as_str().to_string()).collect(),
            },
        ),
        Decision::Refuse(code) => {
            let mut conn = cx.state.db.acquire().await?;
            requests::consume(&mut conn, &stored).await?;
            let error = OAuthError::new(code, refusal_words(code));
            Outcome::Return(error_url(&issuer, &request.redirect_uri, request.state.as_deref(), &error))
        }
        Decision::Issue if !issue => prompt(handle, AuthorizationPrompt::Ready { app, next: continue_path(handle) }),
        Decision::Issue => {
            let Some((user, proof, auth_time)) = user else { return Ok(gone()) };
            let mut work = cx.work().await?;
            if !requests::consume(work.tx(), &stored).await? {
                return Ok(gone());
            }
            let scope = request.scopes.to_string();
            let sid = cookies.session.as_deref().map(|t| sessions::public_id(&sessions::token_hash(t)));
            let new = codes::NewCode {
                client: client.id,
                user_id: user.id,
                redirect_uri: &request.redirect_uri,
                scope: &scope,
                nonce: request.nonce.as_deref(),
                code_challenge: request.code_challenge.as_deref(),
                auth_time,
                proof,
                sid: sid.as_deref(),
            };
            let code = codes::create(work.tx(), &new, cx.now).await?;
            work.commit().await?;
            let mut params = vec![("code", code.as_str())];
            if let Some(state) = request.state.as_deref() {
                params.push(("state", state));
            }
            params.push(("iss", &issuer));
            Outcome::Return(with_params(&request.redirect_uri, &params))
        }
    };
    Ok(outcome)
}

fn prompt(handle: &str, prompt: AuthorizationPrompt) -> Outcome {
    Outcome::Prompt { handle: handle.to_string(), prompt }
}

fn refusal_words(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::LoginRequired => "The user must log in to Portcullis.",
        ErrorCode::ConsentRequired => "The user has not allowed this application yet.",
        ErrorCode::InteractionRequired => "The user must set up two-factor authentication first.",
        ErrorCode::AccessDenied => "The user is not a member of the application's organization.",
        _ => "The request cannot be completed without the user.",
    }
}

/// "Allow" or "Deny" on the consent page, allowed only while consent is
/// what the request waits for. Returns the path on our site the browser goes
/// to next: the continuation (which issues the code), or the refusal.
pub async fn consent(cx: &Ctx<'_>, handle: &str, cookies: &Cookies, allow: bool) -> AppResult<String> {
    let expired = || AppError::from(crate::server::refusals::Refused::SignInRequestGone);
    let Some(loaded) = load(cx, handle, cookies).await? else { return Err(expired()) };
    if decision::decide(&loaded.facts) != Decision::Consent {
        return Ok(continue_path(handle));
    }
    let Some((user, ..)) = &loaded.user else { return Err(AppError::Unauthenticated) };
    let request = &loaded.stored.request;
    let mut work = cx.work().await?;
    if allow {
        consents::allow(work.tx(), user.id, loaded.client.id, &request.scopes, cx.now).await?;
        work.security(user.id, SecurityEvent::ApplicationAllowed).await?;
        work.commit().await?;
        return Ok(continue_path(handle));
    }
    requests::consume(work.tx(), &loaded.stored).await?;
    work.commit().await?;
    Ok(denied_path(&loaded.client.client_id, &request.redirect_uri, request.state.as_deref()))
}

/// `GET /oidc/authorize/return`: `access_denied` back to a redirect URI registered for the client.
pub async fn denied(
    cx: &Ctx<'_>,
    client_id: &str,
    redirect_uri: &str,
    state: Option<&str>,
) -> AppResult<Option<String>> {
    let issuer = cx.issuer()?;
    let Some(client) = clients::find(&cx.state.db, client_id).await? else { return Ok(None) };
    if !crate::oidc::redirect::is_registered(&client.redirect_uris, redirect_uri) {
        return Ok(None);
    }
    let error = OAuthError::new(ErrorCode::AccessDenied, "The user did not allow the sign-in.");
    Ok(Some(error_url(issuer, redirect_uri, state, &error)))
}

/// Whether a login continuing to `next` must ask for the second factor even
/// on a remembered browser: `next` continues an authorization request of
/// this browser that asks for more than a password (`acr_values`).
pub async fn continuation_asks_for_code(cx: &Ctx<'_>, next: &str, binding: Option<&str>) -> AppResult<bool> {
    let Some(query) = next.strip_prefix(CONTINUE_PATH).and_then(|rest| rest.strip_prefix('?')) else {
        return Ok(false);
    };
    let Some((_, handle)) = url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "request") else {
        return Ok(false);
    };
    let stored = requests::load(&cx.state.db, &cx.state.keys, &handle, binding, cx.now).await?;
    Ok(stored.and_then(|s| crate::oidc::acr::wanted(&s.request.acr_values)).is_some_and(|level| level > 1))
}
