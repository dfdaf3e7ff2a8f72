//! Each provider's discovery document and keys, cached per instance: an
//! hour when fetched, 30 seconds when the issuer could not be reached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openidconnect::core::CoreProviderMetadata;
use openidconnect::IssuerUrl;

use crate::server::refusals::UpstreamRefused;
use crate::server::store::upstream::providers::Provider;

const FRESH_SECS: i64 = 3600;
const RETRY_SECS: i64 = 30;

/// Whether a provider's button can be used, as far as this instance knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    Available,
    /// The last attempt failed (`why`): the button says so.
    Unavailable(String),
    /// Not tried yet: the click will.
    Unknown,
}

#[derive(Clone)]
struct Entry {
    issuer: String,
    fetched_at: i64,
    result: Result<CoreProviderMetadata, String>,
}

/// The HTTP client (no redirects followed: a provider's endpoints answer
/// themselves) and the per-provider cache.
#[derive(Clone)]
pub struct Upstreams {
    pub(super) http: reqwest::Client,
    cache: Arc<Mutex<HashMap<i64, Entry>>>,
    /// Providers a background discovery is under way for (one at a time each).
    checking: Arc<Mutex<std::collections::HashSet<i64>>>,
    /// The configured providers, read at most every `LIST_FRESH`: the login page
    /// shows their buttons on every view, and they change only by the command line.
    listed: Arc<Mutex<Option<Listed>>>,
}

/// The providers, and when they were read.
type Listed = (std::time::Instant, Arc<[Provider]>);

/// How long the list of providers is reused: `portcullis providers add` or
/// `remove` (another process, or another instance) shows on login pages after this.
const LIST_FRESH: Duration = Duration::from_secs(5);

impl Default for Upstreams {
    fn default() -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Self { http, cache: Arc::default(), checking: Arc::default(), listed: Arc::default() }
    }
}

fn unavailable(provider: &Provider, why: impl Into<String>) -> UpstreamRefused {
    UpstreamRefused::Unavailable { provider: provider.name.clone(), why: why.into() }
}

impl Upstreams {
    /// The configured providers, from this instance's copy while it is fresh.
    pub async fn providers(
        &self,
        db: &crate::server::db::Db,
        keys: &crate::twofactor::secret_box::Keys,
    ) -> crate::error::AppResult<Arc<[Provider]>> {
        let fresh = |listed: &Option<Listed>| {
            listed.as_ref().filter(|(at, _)| at.elapsed() < LIST_FRESH).map(|(_, list)| list.clone())
        };
        if let Some(list) = self.listed.lock().ok().and_then(|listed| fresh(&listed)) {
            return Ok(list);
        }
        let list: Arc<[Provider]> = crate::server::store::upstream::providers::all(db, keys).await?.into();
        if let Ok(mut listed) = self.listed.lock() {
            *listed = Some((std::time::Instant::now(), list.clone()));
        }
        Ok(list)
    }

    fn cached(&self, provider: &Provider) -> Option<Entry> {
        let cache = self.cache.lock().ok()?;
        cache.get(&provider.id).filter(|e| e.issuer == provider.issuer).cloned()
    }

    pub fn availability(&self, provider: &Provider, now: i64) -> Availability {
        match self.cached(provider) {
            Some(Entry { result: Err(why), fetched_at, .. }) if now - fetched_at < RETRY_SECS => {
                Availability::Unavailable(why)
            }
            Some(Entry { result: Ok(_), .. }) => Availability::Available,
            _ => Availability::Unknown,
        }
    }

    /// Looks the provider up in the background when this instance does not
    /// know whether it can be reached: the login page never waits for it, and
    /// its button says "unavailable" from the next view on if it cannot.
    pub fn check_in_background(&self, provider: &Provider, now: i64) {
        if self.availability(provider, now) != Availability::Unknown {
            return;
        }
        let first = self.checking.lock().is_ok_and(|mut checking| checking.insert(provider.id));
        if !first {
            return;
        }
        let (this, provider) = (self.clone(), provider.clone());
        tokio::spawn(async move {
            let _ = this.metadata(&provider, now, false).await;
            if let Ok(mut checking) = this.checking.lock() {
                checking.remove(&provider.id);
            }
        });
    }

    /// The provider's metadata (and keys): cached, or fetched now; `refresh`
    /// fetches again whatever the cache holds (a key we do not know yet).
    pub async fn metadata(
        &self,
        provider: &Provider,
        now: i64,
        refresh: bool,
    ) -> Result<CoreProviderMetadata, UpstreamRefused> {
        if let Some(entry) = self.cached(provider) {
            let age = now - entry.fetched_at;
            match entry.result {
                Ok(metadata) if !refresh && age < FRESH_SECS => return Ok(metadata),
                Err(why) if age < RETRY_SECS => return Err(unavailable(provider, why)),
                _ => {}
            }
        }
        let result = self.discover(&provider.issuer).await;
        if let Err(why) = &result {
            tracing::warn!(provider = %provider.name, issuer = %provider.issuer, %why, "an identity provider is unavailable");
        }
        if let Ok(mut cache) = self.cache.lock() {
            let entry = Entry { issuer: provider.issuer.clone(), fetched_at: now, result: result.clone() };
            cache.insert(provider.id, entry);
        }
        result.map_err(|why| unavailable(provider, why))
    }

    async fn discover(&self, issuer: &str) -> Result<CoreProviderMetadata, String> {
        let url = IssuerUrl::new(issuer.to_string()).map_err(|_| "its issuer URL is malformed.".to_string())?;
        // Discovery also fetches the JWKS; it checks that the document names this issuer.
        CoreProviderMetadata::discover_async(url, &self.http).await.map_err(|e| match e {
            openidconnect::DiscoveryError::Request(_) => "it could not be reached.".to_string(),
            openidconnect::DiscoveryError::Validation(_) => "its discovery document names another issuer.".to_string(),
            openidconnect::DiscoveryError::Response(status, ..) => format!("it answered with HTTP {status}."),
            _ => "its discovery document or keys could not be read.".to_string(),
        })
    }
}
