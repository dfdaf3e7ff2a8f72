//! Server-only code: state, persistence, password hashing and sessions.
//! Nothing here is compiled into the browser bundle.

pub mod clock;
pub mod db;
pub mod flows;
pub mod gate;
pub mod guards;
pub mod key_rotation;
pub mod meters;
pub mod password;
pub mod refusals;
pub mod store;
pub mod upstream;
pub mod webauthn;
pub mod words;

use std::sync::Arc;

pub use clock::Clock;
pub use db::Db;
pub use password::PasswordHasher;

use crate::twofactor::secret_box::Keys;

/// Settings the request handlers need; built by the binary from its configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub secure_cookies: bool,
    /// A session unused for this long is over.
    pub session_idle_secs: i64,
    /// A session is over this long after login, used or not.
    pub session_absolute_secs: i64,
    /// Load balancers whose X-Forwarded-For names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The URL people reach Portcullis at, without a trailing slash: the
    /// OpenID Connect issuer. `None` switches the provider off.
    pub public_url: Option<String>,
    /// Who may make an account (`--sign-up`, `--sign-up-domains`).
    pub sign_up: crate::policy::SignUpRules,
    /// Who may create organizations (`--org-creation`).
    pub org_creation: crate::policy::OrgCreation,
    /// Text messages as a second factor; `None` without a gateway (`--sms-gateway`): not offered.
    pub sms: Option<SmsSettings>,
}

/// What the request handlers need to know of the SMS gateway's settings (the
/// binary owns the gateway itself and its secrets).
#[derive(Debug, Clone, Default)]
pub struct SmsSettings {
    /// `--sms-allowed-countries`: empty, everywhere.
    pub allowed: crate::twofactor::sms::AllowedCountries,
    /// `--sms-daily-limit`: codes sent per day (UTC) by all instances together.
    pub daily_limit: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            session_idle_secs: 12 * 3600,
            session_absolute_secs: 14 * 24 * 3600,
            trusted_proxies: Vec::new(),
            public_url: None,
            sign_up: Default::default(),
            org_creation: Default::default(),
            sms: None,
        }
    }
}

/// Everything a request handler needs, provided as Leptos context. One
/// reference count to clone: a request clones it several times (router,
/// context, each server function), and the services are a dozen shared parts.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl std::ops::Deref for AppState {
    type Target = Services;
    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What [`AppState`] shares.
pub struct Services {
    pub db: Db,
    pub hasher: PasswordHasher,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    /// Derived from the server's secret key: seal TOTP secrets and backup codes.
    pub keys: Arc<Keys>,
    pub address_limiter: guards::attempts::AddressLimiter,
    /// Authorization requests and passkey sign-ins started per address.
    pub start_limiter: guards::start_limiter::StartLimiter,
    /// Security keys and passkeys; `None` (off) without a public URL naming a domain.
    pub webauthn: Option<Arc<webauthn::RelyingParty>>,
    /// Other identity providers' discovery documents and keys, cached.
    pub upstreams: upstream::Upstreams,
}

impl AppState {
    pub fn new(db: Db, hasher: PasswordHasher, clock: Clock, settings: Settings, keys: Keys) -> Self {
        let webauthn = match webauthn::relying_party(settings.public_url.as_deref()) {
            Ok(rp) => Some(Arc::new(rp)),
            Err(why) => {
                tracing::info!("security keys and passkeys are off: {why}");
                None
            }
        };
        Self(Arc::new(Services {
            webauthn,
            db,
            hasher,
            clock,
            settings: Arc::new(settings),
            keys: Arc::new(keys),
            address_limiter: guards::attempts::AddressLimiter::default(),
            start_limiter: guards::start_limiter::StartLimiter::default(),
            upstreams: upstream::Upstreams::default(),
        }))
    }

    /// Removes expired sessions, pending logins, enrollments and attempt
    /// counters. Idempotent: every instance may run it at any time.
    pub async fn delete_expired(&self) -> crate::error::AppResult<u64> {
        let now = self.clock.now();
        Ok(store::sessions::delete_expired(&self.db, now, &self.settings).await?
            + store::pending_logins::delete_expired(&self.db, now).await?
            + store::enrollments::delete_expired(&self.db, now).await?
            + guards::attempts::delete_expired(&self.db, now).await?
            + store::oidc::grants::delete_expired(&self.db, now).await?
            + store::oidc::service_tokens::delete_expired(&self.db, now).await?
            + store::oidc::keys::delete_retired(&self.db, now).await?
            + store::webauthn::ceremonies::delete_expired(&self.db, now).await?
            + store::outbox::delete_settled(&self.db, now).await?
            + store::email_links::delete_expired(&self.db, now).await?
            + store::sms::delete_expired(&self.db, now).await?)
    }
}

/// Called for every request (pages and server functions) to provide what they need.
pub fn provide_request_context(state: &AppState) {
    leptos::prelude::provide_context(state.clone());
    leptos::prelude::provide_context(gate::request::SessionCache::default());
    leptos::prelude::provide_context(gate::request::OrgCache::default());
    // Lets <Redirect/> answer a server-rendered page with a real 302.
    leptos_router::components::provide_server_redirect(leptos_axum::redirect);
}
