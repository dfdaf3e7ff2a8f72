//! The caller of an API request, and the organization gate.

use app::api_access::Scope;
use app::model::OrgSummary;
use app::server::flows::{Ctx, InOrg};
use app::server::gate::api_auth::{self, ApiCaller};
use app::server::store::events::RequestMeta;
use app::server::AppState;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use http::header;
use http::request::Parts;

use super::ApiError;

/// An authenticated caller, and where the request came from.
pub struct Caller {
    pub state: AppState,
    pub caller: ApiCaller,
    pub meta: RequestMeta,
}

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let peer = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>();
        let meta = crate::middleware::request_meta(&state, peer, &parts.headers);
        let authorization = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        let caller = api_auth::authenticate(&state, &meta, authorization).await?;
        Ok(Caller { state, caller, meta })
    }
}

impl Caller {
    pub fn cx(&self) -> Ctx<'_> {
        Ctx::new(&self.state, &self.meta)
    }

    /// Account routes: the scope only.
    pub fn require(&self, scope: Scope) -> Result<(), ApiError> {
        Ok(self.caller.require(scope)?)
    }

    /// Every organization route: the scope, then the gate every page and
    /// server function passes (membership, the two-factor requirement),
    /// then the organization's switch for tokens.
    pub async fn org(&self, slug: &str, scope: Scope) -> Result<OrgSummary, ApiError> {
        self.require(scope)?;
        Ok(api_auth::org_access(&self.state, &self.caller, slug).await?)
    }

    pub fn in_org<'a>(&'a self, org: &'a OrgSummary) -> InOrg<'a> {
        InOrg { user: &self.caller.user, org, session_hash: None }
    }
}
