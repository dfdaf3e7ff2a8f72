//! What every server function needs from the request it serves: the state,
//! the signed-in user, the organization it acts on, and a proper status code.

use http::header::{HeaderValue, SET_COOKIE};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

use super::{AppState, orgs, sessions};
use crate::error::{AppError, AppResult};
use crate::model::{OrgSummary, User};

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
    sessions::token_from_headers(&headers())
}

pub async fn current_user() -> AppResult<Option<User>> {
    let Some(token) = session_token() else { return Ok(None) };
    let state = state()?;
    sessions::user_for_token(&state.db, &token, state.clock.now(), &state.settings).await
}

pub async fn require_user() -> AppResult<User> {
    current_user().await?.ok_or(AppError::Unauthenticated)
}

/// A signed-in member acting inside one organization.
pub struct OrgAccess {
    pub user: User,
    pub org: OrgSummary,
    pub state: AppState,
}

/// The gate every organization-scoped server function passes through.
/// Non-members get the same 404 as for an organization that does not exist.
pub async fn org_access(slug: &str) -> AppResult<OrgAccess> {
    let user = require_user().await?;
    let state = state()?;
    let org = orgs::find_for_member(&state.db, slug.trim(), user.id)
        .await?
        .ok_or_else(|| AppError::not_found("No organization with that address, or you are not a member of it."))?;
    Ok(OrgAccess { user, org, state })
}

pub fn set_cookie(value: &str) {
    if let (Some(res), Ok(value)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(value)) {
        res.append_header(SET_COOKIE, value);
    }
}
