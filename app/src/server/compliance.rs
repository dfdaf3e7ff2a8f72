//! "Meets the organization's 2FA requirement": one answer for every gate
//! (pages, server functions, REST, and OpenID Connect's authorize, token,
//! refresh and userinfo), so that no path counts factors its own way.

use super::{credentials, orgs, Db};
use crate::error::AppResult;
use crate::policy;

/// The member has a second factor of a kind the organization allows.
pub async fn complies(db: &Db, org_id: i64, user_id: i64) -> AppResult<bool> {
    let (totp, keys) = credentials::factors(db, user_id).await?;
    let allowed = orgs::allowed_factors(db, org_id).await?;
    Ok(policy::satisfies_requirement(allowed, totp, keys))
}

/// The organization requires 2FA, its grace period is over at `now`, and
/// the member has no second factor of an allowed kind: refused everywhere.
pub async fn refused_by_requirement(db: &Db, org_id: i64, user_id: i64, now: i64) -> AppResult<bool> {
    let deadline = orgs::two_factor_deadline(db, org_id).await?;
    if deadline.is_none_or(|d| now < d) {
        return Ok(false);
    }
    Ok(!complies(db, org_id, user_id).await?)
}
