//! An organization's members: the list (emails, 2FA status and token counts
//! for owners and admins only, as on the Members tab), invitations, roles,
//! removal, and the reset of a member's two-factor authentication.

use app::api_access::Scope;
use app::server::flows::backup_codes::Reauthentication as Reauth;
use app::server::flows::{member_reset, members, orgs as flows};
use axum::extract::Path;
use axum::http::StatusCode;
use axum::Json;
use http::Uri;

use super::auth::Caller;
use super::dto::{ApiErrorBody, ChangeRole, Invite, Invited, Member, MemberPage, Reauthentication};
use super::input::{encode_cursor, id, Body, PageQuery};
use super::ApiResult;

/// The members, by user id.
#[utoipa::path(get, path = "/orgs/{slug}/members", tag = "members", params(("slug" = String, Path, example = "acme", description = "The organization's address"), PageQuery),
    responses((status = 200, body = MemberPage), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody)))]
pub async fn list(caller: Caller, Path(slug): Path<String>, uri: Uri) -> ApiResult<Json<MemberPage>> {
    let org = caller.org(&slug, Scope::Read).await?;
    let page = PageQuery::from_uri(&uri)?;
    let mut all = members::list(&caller.cx(), caller.in_org(&org)).await?;
    all.sort_by_key(|m| m.user_id);
    let mut items: Vec<_> = all.into_iter().filter(|m| page.after.is_none_or(|after| m.user_id > after)).collect();
    let more = items.len() as i64 > page.limit;
    items.truncate(page.limit as usize);
    let next_cursor = if more { items.last().map(|m| encode_cursor(m.user_id)) } else { None };
    let items = items.into_iter().map(Member::from_model).collect();
    Ok(Json(MemberPage { items, next_cursor }))
}

/// Invites a person by email with a role; the answer is the same whether or
/// not an account uses the email, and nobody joins without accepting.
#[utoipa::path(post, path = "/orgs/{slug}/members", tag = "members", params(("slug" = String, Path, example = "acme", description = "The organization's address")),
    request_body = Invite,
    responses((status = 201, body = Invited), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 413, body = ApiErrorBody), (status = 415, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn invite(caller: Caller, Path(slug): Path<String>, body: Body) -> ApiResult<(StatusCode, Json<Invited>)> {
    let org = caller.org(&slug, Scope::Write).await?;
    let input: Invite = body.json()?;
    let invited = flows::invite(&caller.cx(), caller.in_org(&org), &input.email, input.role.as_str()).await?;
    let sent = app::model::InvitationSent::new(invited.email, invited.code);
    Ok((StatusCode::CREATED, Json(Invited { email: sent.email, code: sent.code, message: sent.message })))
}

/// Changes a member's role; an organization always keeps an owner.
#[utoipa::path(patch, path = "/orgs/{slug}/members/{user_id}", tag = "members",
    params(("slug" = String, Path, example = "acme", description = "The organization's address"), ("user_id" = i64, Path, example = 2, description = "The member's user id")), request_body = ChangeRole,
    responses((status = 204), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 413, body = ApiErrorBody), (status = 415, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn change_role(
    caller: Caller,
    Path((slug, user_id)): Path<(String, String)>,
    body: Body,
) -> ApiResult<StatusCode> {
    let org = caller.org(&slug, Scope::Write).await?;
    let user_id = id(&user_id)?;
    let input: ChangeRole = body.json()?;
    flows::change_role(&caller.cx(), caller.in_org(&org), user_id, input.role.as_str()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member; the last owner stays.
#[utoipa::path(delete, path = "/orgs/{slug}/members/{user_id}", tag = "members",
    params(("slug" = String, Path, example = "acme", description = "The organization's address"), ("user_id" = i64, Path, example = 2, description = "The member's user id")),
    responses((status = 204), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody)))]
pub async fn remove(caller: Caller, Path((slug, user_id)): Path<(String, String)>) -> ApiResult<StatusCode> {
    let org = caller.org(&slug, Scope::Write).await?;
    let user_id = id(&user_id)?;
    flows::remove_member(&caller.cx(), caller.in_org(&org), user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Resets a member's two-factor authentication (a lost phone), with your
/// own password and a current code: owners for anyone, admins for plain members.
#[utoipa::path(post, path = "/orgs/{slug}/members/{user_id}/reset-two-factor", tag = "members",
    params(("slug" = String, Path, example = "acme", description = "The organization's address"), ("user_id" = i64, Path, example = 2, description = "The member's user id")), request_body = Reauthentication,
    responses((status = 204), (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody), (status = 404, body = ApiErrorBody), (status = 409, body = ApiErrorBody),
              (status = 413, body = ApiErrorBody), (status = 415, body = ApiErrorBody), (status = 422, body = ApiErrorBody),
              (status = 429, body = ApiErrorBody)))]
pub async fn reset_two_factor(
    caller: Caller,
    Path((slug, user_id)): Path<(String, String)>,
    body: Body,
) -> ApiResult<StatusCode> {
    let org = caller.org(&slug, Scope::AdminOrg).await?;
    let user_id = id(&user_id)?;
    let input: Reauthentication = body.json()?;
    let reauth = Reauth { password: input.password, code: input.code };
    member_reset::reset(&caller.cx(), caller.in_org(&org), user_id, reauth).await?;
    Ok(StatusCode::NO_CONTENT)
}
