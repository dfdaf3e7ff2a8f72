//! Organizations: the list, one, its audit log, its two-factor requirement
//! and its switch for tokens.

use app::api_access::Scope;
use app::policy::{self, ManagerTask};
use app::server::flows::{api_tokens, orgs as flows};
use app::server::{store::api_logs, store::api_tokens as tokens, store::orgs};
use axum::extract::Path;
use axum::Json;
use http::Uri;

use super::auth::Caller;
use super::dto::{ApiAccess, ApiErrorBody, LogPage, Org, OrgPage, Requirement, SetRequirement};
use super::input::{encode_cursor, Body, PageQuery};
use super::ApiResult;

/// The organizations you belong to that this credential may use.
#[utoipa::path(get, path = "/orgs", tag = "organizations", params(PageQuery),
    responses((status = 200, body = OrgPage), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody)))]
pub async fn list(caller: Caller, uri: Uri) -> ApiResult<Json<OrgPage>> {
    caller.require(Scope::Read)?;
    let page = PageQuery::from_uri(&uri)?;
    let mut all = Vec::new();
    // Only those this caller may use: an organization that shuts tokens out, or that
    // requires a second factor this member lacks, is not listed to them either.
    for org in orgs::list_for_user(&caller.state.db, caller.caller.user.id).await? {
        match app::server::gate::api_auth::org_access(&caller.state, &caller.caller, &org.slug).await {
            Ok(usable) => all.push(usable),
            Err(refused) if refused.status() == 403 => {}
            Err(e) => return Err(e.into()),
        }
    }
    all.sort_by_key(|o| o.id);
    let mut items: Vec<_> = all.into_iter().filter(|o| page.after.is_none_or(|after| o.id > after)).collect();
    let more = items.len() as i64 > page.limit;
    items.truncate(page.limit as usize);
    let next_cursor = if more { items.last().map(|o| encode_cursor(o.id)) } else { None };
    Ok(Json(OrgPage { items: items.into_iter().map(Into::into).collect(), next_cursor }))
}

/// One organization you belong to.
#[utoipa::path(get, path = "/orgs/{slug}", tag = "organizations", params(("slug" = String, Path, example = "acme", description = "The organization's address")),
    responses((status = 200, body = Org), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody)))]
pub async fn show(caller: Caller, Path(slug): Path<String>) -> ApiResult<Json<Org>> {
    Ok(Json(caller.org(&slug, Scope::Read).await?.into()))
}

/// The organization's audit log, newest first: owners and admins.
#[utoipa::path(get, path = "/orgs/{slug}/audit-log", tag = "organizations", params(("slug" = String, Path, example = "acme", description = "The organization's address"), PageQuery),
    responses((status = 200, body = LogPage), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn audit_log(caller: Caller, Path(slug): Path<String>, uri: Uri) -> ApiResult<Json<LogPage>> {
    let org = caller.org(&slug, Scope::Read).await?;
    policy::may_manage(org.my_role, ManagerTask::SeeAuditLog)?;
    let page = PageQuery::from_uri(&uri)?;
    let rows = api_logs::audit_log(&caller.state.db, org.id, page.after, page.limit + 1).await?;
    Ok(Json(super::me::log_page(rows, page.limit)))
}

/// "Require two-factor authentication": owners and admins.
#[utoipa::path(get, path = "/orgs/{slug}/two-factor-requirement", tag = "organizations", params(("slug" = String, Path, example = "acme", description = "The organization's address")),
    responses((status = 200, body = Requirement), (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody),
              (status = 404, body = ApiErrorBody)))]
pub async fn requirement(caller: Caller, Path(slug): Path<String>) -> ApiResult<Json<Requirement>> {
    let org = caller.org(&slug, Scope::Read).await?;
    policy::may_manage(org.my_role, ManagerTask::SeeSettings)?;
    let (required, grace_days) = orgs::two_factor_policy(&caller.state.db, org.id).await?;
    Ok(Json(Requirement { required, grace_days }))
}

/// Switches the requirement on (owners and admins, with every owner and you
/// enrolled), or off / changes its grace period (owners, with password and code).
#[utoipa::path(put, path = "/orgs/{slug}/two-factor-requirement", tag = "organizations", params(("slug" = String, Path, example = "acme", description = "The organization's address")),
    request_body = SetRequirement,
    responses((status = 200, body = Requirement), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 413, body = ApiErrorBody), (status = 415, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
              (status = 429, body = ApiErrorBody)))]
pub async fn set_requirement(caller: Caller, Path(slug): Path<String>, body: Body) -> ApiResult<Json<Requirement>> {
    let org = caller.org(&slug, Scope::AdminOrg).await?;
    let input: SetRequirement = body.json()?;
    let (required, grace_days) = (input.required, input.grace_days);
    let change = flows::RequirementInput { require: required, grace_days, password: input.password, code: input.code };
    flows::set_requirement(&caller.cx(), caller.in_org(&org), change).await?;
    Ok(Json(Requirement { required, grace_days }))
}

/// "Allow personal access tokens and application passwords for this
/// organization's data": owners only. Off, tokens and application
/// passwords get 403 on the organization's routes (this one included).
#[utoipa::path(put, path = "/orgs/{slug}/api-access", tag = "organizations", params(("slug" = String, Path, example = "acme", description = "The organization's address")),
    request_body = ApiAccess,
    responses((status = 200, body = ApiAccess), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 413, body = ApiErrorBody),
              (status = 415, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn set_api_access(caller: Caller, Path(slug): Path<String>, body: Body) -> ApiResult<Json<ApiAccess>> {
    let org = caller.org(&slug, Scope::AdminOrg).await?;
    let input: ApiAccess = body.json()?;
    api_tokens::set_org_api_access(&caller.cx(), caller.in_org(&org), input.allow).await?;
    let allow = tokens::org_allows(&caller.state.db, org.id).await?;
    Ok(Json(ApiAccess { allow }))
}
