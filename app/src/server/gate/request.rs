//! What every server function needs from the request it serves: the state,
//! the signed-in user, the organization it acts on, and a proper status code.

use http::header::{HeaderValue, SET_COOKIE};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

use crate::error::{AppError, AppResult};
use crate::model::{OrgSummary, User};
use crate::server::flows::{Ctx, InSession, NewSession};
use crate::server::store::events::RequestMeta;
use crate::server::{guards::client_ip, store::pending_logins, store::sessions, AppState};

pub fn state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from context");
        AppError::Internal
    })
}

fn headers() -> http::HeaderMap {
    use_context::<http::request::Parts>().map(|p| p.headers).unwrap_or_default()
}

pub fn session_token() -> Option<String> {
    sessions::token_from_headers(&headers(), sessions::COOKIE_NAME)
}

/// The cookies an authorization request is read with: the session and the browser's binding.
pub fn authorization_cookies() -> crate::server::flows::oidc::authorize::Cookies {
    crate::server::flows::oidc::authorize::Cookies {
        session: session_token(),
        binding: sessions::token_from_headers(&headers(), crate::server::store::oidc::requests::BINDING_COOKIE),
    }
}

pub fn pending_login_token() -> Option<String> {
    sessions::token_from_headers(&headers(), pending_logins::COOKIE_NAME)
}

/// Client address and browser, for the security log and per-address limits.
pub fn request_meta() -> RequestMeta {
    let parts = use_context::<http::request::Parts>();
    let peer = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>())
        .map(|c| c.0.ip());
    let ip = peer.map(|peer| {
        let trusted = state().map(|s| s.settings.trusted_proxies.clone()).unwrap_or_default();
        let forwarded: Vec<&str> = parts
            .as_ref()
            .map(|p| p.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect())
            .unwrap_or_default();
        static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
        if client_ip::first_ignored_forwarding(!forwarded.is_empty(), &trusted, &WARNED) {
            tracing::warn!(
                "requests carry X-Forwarded-For but no trusted proxy is configured: the header is ignored, so clients behind \
                 a proxy share its address in the per-address limits and the security log; set --trusted-proxies"
            );
        }
        client_ip::client_ip(peer, &forwarded, &trusted)
    });
    let user_agent = parts
        .as_ref()
        .and_then(|p| p.headers.get(http::header::USER_AGENT))
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    RequestMeta { ip, user_agent, browser: None }
}

/// The hash of the browser's own cookie, if it has one (never minted here).
pub fn browser_hash() -> Option<String> {
    sessions::token_from_headers(&headers(), crate::server::store::browsers::BROWSER_COOKIE)
        .map(|t| sessions::token_hash(&t))
}

/// A sign-in step's visit: the browser named by its cookie, or by a new one
/// handed out now (`store::browsers`).
pub fn signing_in() -> AppResult<Visit> {
    use crate::server::store::browsers::{BROWSER_COOKIE, BROWSER_COOKIE_SECS};
    let state = state()?;
    let token =
        sessions::token_from_headers(&headers(), BROWSER_COOKIE).filter(|t| t.len() <= 64).unwrap_or_else(|| {
            let token = sessions::new_token();
            set_cookie(&sessions::build_cookie(BROWSER_COOKIE, Some(&token), BROWSER_COOKIE_SECS, &state.settings));
            token
        });
    let meta = RequestMeta { browser: Some(sessions::token_hash(&token)), ..request_meta() };
    Ok(Visit { state, meta })
}

pub async fn current_user() -> AppResult<Option<User>> {
    Ok(current_session().await?.map(|(user, _)| user))
}

type SessionLookup = Option<(User, String)>;

/// The session lookup of one request, made once however many server
/// functions a page render runs. Provided afresh for every request.
#[derive(Clone, Default)]
pub struct SessionCache(Arc<Mutex<Arc<OnceCell<SessionLookup>>>>);

impl SessionCache {
    /// The remembered lookup, or `look_up`'s answer, remembered; concurrent
    /// callers wait for the one lookup in flight.
    async fn get_or_look_up<F: std::future::Future<Output = AppResult<SessionLookup>>>(
        &self,
        look_up: impl FnOnce() -> F,
    ) -> AppResult<SessionLookup> {
        let cell = self.0.lock().map(|cell| cell.clone()).unwrap_or_default();
        cell.get_or_try_init(look_up).await.cloned()
    }

    /// After this request started, ended or replaced a session.
    fn forget(&self) {
        if let Ok(mut cell) = self.0.lock() {
            *cell = Arc::default();
        }
    }
}

/// Drops this request's remembered session, if any (and the organization
/// checks made for it).
pub fn forget_session() {
    if let Some(cache) = use_context::<SessionCache>() {
        cache.forget();
    }
    if let Some(cache) = use_context::<OrgCache>() {
        cache.forget();
    }
}

type OrgCells = std::collections::HashMap<(i64, String), Arc<OnceCell<OrgSummary>>>;

/// The organization checks of one request (`member_org`: membership, the 2FA
/// and verified-address rules), made once per organization however many
/// server functions a page runs. A refusal is not remembered: it is asked
/// again, and answered again. Provided afresh for every request.
#[derive(Clone, Default)]
pub struct OrgCache(Arc<Mutex<OrgCells>>);

impl OrgCache {
    async fn get_or_check<F: std::future::Future<Output = AppResult<OrgSummary>>>(
        &self,
        key: (i64, String),
        check: impl FnOnce() -> F,
    ) -> AppResult<OrgSummary> {
        let cell = self.0.lock().map(|mut cells| cells.entry(key).or_default().clone()).unwrap_or_default();
        cell.get_or_try_init(check).await.cloned()
    }

    fn forget(&self) {
        if let Ok(mut cells) = self.0.lock() {
            cells.clear();
        }
    }
}

/// The signed-in user and the hash identifying their session.
pub async fn current_session() -> AppResult<Option<(User, String)>> {
    match use_context::<SessionCache>() {
        Some(cache) => cache.get_or_look_up(look_up_session).await,
        None => look_up_session().await,
    }
}

async fn look_up_session() -> AppResult<SessionLookup> {
    let Some(token) = session_token() else { return Ok(None) };
    let state = state()?;
    let user = sessions::user_for_token(&state.db, &token, state.clock.now(), &state.settings).await?;
    Ok(user.map(|u| (u, sessions::token_hash(&token))))
}

pub async fn require_session() -> AppResult<(User, String)> {
    current_session().await?.ok_or(AppError::Unauthenticated)
}

pub async fn require_user() -> AppResult<User> {
    current_user().await?.ok_or(AppError::Unauthenticated)
}

/// A signed-in user acting through their session: what a use case needs.
pub struct SessionAccess {
    pub user: User,
    /// The hash of the session's token, as stored.
    pub session_hash: String,
    pub state: AppState,
    pub meta: RequestMeta,
}

impl SessionAccess {
    pub fn cx(&self) -> Ctx<'_> {
        Ctx::new(&self.state, &self.meta)
    }

    pub fn in_session(&self) -> InSession<'_> {
        InSession { user: &self.user, session_hash: &self.session_hash }
    }
}

/// The signed-in user, or 401.
pub async fn session_access() -> AppResult<SessionAccess> {
    let (user, session_hash) = require_session().await?;
    Ok(SessionAccess { user, session_hash, state: state()?, meta: request_meta() })
}

/// Anyone, signed in or not (signing up, logging in).
pub struct Visit {
    pub state: AppState,
    pub meta: RequestMeta,
}

impl Visit {
    pub fn cx(&self) -> Ctx<'_> {
        Ctx::new(&self.state, &self.meta)
    }
}

pub fn visit() -> AppResult<Visit> {
    Ok(Visit { state: state()?, meta: request_meta() })
}

/// A signed-in member acting inside one organization.
pub struct OrgAccess {
    pub user: User,
    pub org: OrgSummary,
    /// The hash of the session's token, as stored.
    pub session_hash: String,
    pub state: AppState,
    pub meta: RequestMeta,
}

impl OrgAccess {
    pub fn cx(&self) -> Ctx<'_> {
        Ctx::new(&self.state, &self.meta)
    }
}

impl OrgAccess {
    /// The member acting, as the use cases take it.
    pub fn in_org(&self) -> crate::server::flows::InOrg<'_> {
        crate::server::flows::InOrg { user: &self.user, org: &self.org, session_hash: Some(&self.session_hash) }
    }
}

/// The gate every organization-scoped server function and page passes through.
pub async fn org_access(slug: &str) -> AppResult<OrgAccess> {
    let state = state()?;
    let (user, session_hash) = require_session().await?;
    let check = || crate::server::guards::compliance::member_org(&state, &user, slug);
    let org = match use_context::<OrgCache>() {
        Some(cache) => cache.get_or_check((user.id, slug.trim().to_string()), check).await?,
        None => check().await?,
    };
    Ok(OrgAccess { user, org, session_hash, state, meta: request_meta() })
}

/// The one check behind every organization route (server functions, pages
/// and REST alike): a live session, and membership of the organization.
/// Non-members get the same 404 as for an organization that does not exist.
pub async fn member_access(state: &AppState, session_token: Option<&str>, slug: &str) -> AppResult<(User, OrgSummary)> {
    let token = session_token.ok_or(AppError::Unauthenticated)?;
    let user = sessions::user_for_token(&state.db, token, state.clock.now(), &state.settings)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let org = crate::server::guards::compliance::member_org(state, &user, slug).await?;
    Ok((user, org))
}

/// Hands a session a use case made (or gave a fresh id) to the browser.
pub fn hand_out_session(state: &AppState, session: &NewSession) {
    set_cookie(&sessions::cookie(Some(&session.token), &state.settings));
    forget_session();
}

/// Ends the browser's session cookie (the use case deleted the row).
pub fn clear_session_cookie(state: &AppState) {
    set_cookie(&sessions::cookie(None, &state.settings));
    forget_session();
}

pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(value)) {
        res.append_header(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_request_looks_its_session_up_once_until_it_changes_it() {
        let cache = SessionCache::default();
        let lookups = AtomicUsize::new(0);
        let look_up = || async {
            let n = lookups.fetch_add(1, Ordering::SeqCst) as i64;
            Ok(Some((User { id: n, name: "Ann".into(), email: "ann@example.com".into() }, format!("hash {n}"))))
        };
        let (first, second) = tokio::join!(cache.get_or_look_up(look_up), cache.get_or_look_up(look_up));
        assert_eq!(lookups.load(Ordering::SeqCst), 1, "two server functions of one render share one lookup");
        assert_eq!(first.unwrap().unwrap().1, "hash 0");
        assert_eq!(second.unwrap().unwrap().1, "hash 0");

        cache.forget();
        let after = cache.get_or_look_up(look_up).await.unwrap().unwrap();
        assert_eq!(
            (lookups.load(Ordering::SeqCst), after.1.as_str()),
            (2, "hash 1"),
            "after a login or logout the session is read again"
        );
    }

    #[tokio::test]
    async fn a_failed_lookup_is_not_remembered() {
        let cache = SessionCache::default();
        assert!(cache.get_or_look_up(|| async { Err(AppError::Internal) }).await.is_err());
        let retried = cache.get_or_look_up(|| async { Ok(None) }).await.unwrap();
        assert!(retried.is_none());
    }

    fn org(slug: &str) -> OrgSummary {
        OrgSummary {
            id: 7,
            name: "Acme".into(),
            slug: slug.into(),
            my_role: crate::model::Role::Member,
            two_factor_deadline: None,
        }
    }

    #[tokio::test]
    async fn an_organization_is_checked_once_per_request_and_member() {
        let cache = OrgCache::default();
        let checks = AtomicUsize::new(0);
        let check = |slug: &'static str| {
            let checks = &checks;
            move || async move {
                checks.fetch_add(1, Ordering::SeqCst);
                Ok(org(slug))
            }
        };
        let (first, second) = tokio::join!(
            cache.get_or_check((1, "acme".into()), check("acme")),
            cache.get_or_check((1, "acme".into()), check("acme"))
        );
        assert_eq!(checks.load(Ordering::SeqCst), 1, "two server functions of one page share one check");
        assert_eq!((first.unwrap().slug, second.unwrap().slug), ("acme".to_string(), "acme".to_string()));

        cache.get_or_check((1, "beta".into()), check("beta")).await.unwrap();
        cache.get_or_check((2, "acme".into()), check("acme")).await.unwrap();
        assert_eq!(checks.load(Ordering::SeqCst), 3, "another organization, or another person, is checked again");

        cache.forget();
        cache.get_or_check((1, "acme".into()), check("acme")).await.unwrap();
        assert_eq!(checks.load(Ordering::SeqCst), 4, "after a login or logout the checks are made again");
    }

    #[tokio::test]
    async fn a_refused_organization_check_is_not_remembered() {
        let cache = OrgCache::default();
        let refused = cache.get_or_check((1, "acme".into()), || async { Err(AppError::Unauthenticated) }).await;
        assert!(refused.is_err());
        let again = cache.get_or_check((1, "acme".into()), || async { Ok(org("acme")) }).await;
        assert_eq!(again.unwrap().slug, "acme", "the next server function asks again");
    }
}
