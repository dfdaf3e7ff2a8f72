//! `GET /me` and `GET /me/security-log`.

use app::api_access::Scope;
use app::server::gate::api_auth::Via;
use app::server::{store::api_logs, store::credentials};
use axum::Json;
use http::Uri;

use super::auth::Caller;
use super::dto::{self, ApiErrorBody, LogPage, Me};
use super::input::{encode_cursor, PageQuery};
use super::ApiResult;

/// The account this request acts as.
#[utoipa::path(get, path = "/me", tag = "account",
    responses((status = 200, body = Me), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
pub async fn me(caller: Caller) -> ApiResult<Json<Me>> {
    caller.require(Scope::Read)?;
    let user = &caller.caller.user;
    let authenticated_with = match caller.caller.via {
        Via::Token { .. } => "personal_access_token",
        Via::AppPassword { .. } => "application_password",
        Via::Password => "password",
    };
    Ok(Json(Me {
        id: user.id,
        name: user.name.clone(),
        email: user.email.clone(),
        email_verified: app::server::store::users::email_verified(&caller.state.db, user.id).await?,
        two_factor_enabled: credentials::is_enabled(&caller.state.db, user.id).await?,
        authenticated_with: authenticated_with.to_string(),
        scopes: dto::scope_names(&caller.caller.scopes),
    }))
}

/// The account's security log, newest first.
#[utoipa::path(get, path = "/me/security-log", tag = "account", params(PageQuery),
    responses((status = 200, body = LogPage), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody)))]
pub async fn security_log(caller: Caller, uri: Uri) -> ApiResult<Json<LogPage>> {
    caller.require(Scope::Read)?;
    let page = PageQuery::from_uri(&uri)?;
    let rows = api_logs::security_log(&caller.state.db, caller.caller.user.id, page.after, page.limit + 1).await?;
    Ok(Json(log_page(rows, page.limit)))
}

/// One page of a log: the extra row says whether there is a next.
pub fn log_page(mut rows: Vec<api_logs::LogRow>, limit: i64) -> LogPage {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|r| encode_cursor(r.id)) } else { None };
    LogPage { items: rows.into_iter().map(Into::into).collect(), next_cursor }
}
