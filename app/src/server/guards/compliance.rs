//! The organization gate and "meets the organization's 2FA requirement":
//! one answer (`factors::standing`, read from the database here) for every
//! gate: pages, server functions, REST, and OpenID Connect's authorize,
//! token, refresh and userinfo, so that no path counts factors its own way.

use crate::error::{AppError, AppResult};
use crate::factors::{self, Standing};
use crate::model::{OrgSummary, User};
use crate::server::refusals::Refused;
use crate::server::{store::credentials, store::org_settings, store::orgs, store::users, AppState, Db};

/// Where `user_id` stands with organization `org_id`'s requirement at `now`.
pub async fn standing(db: &Db, org_id: i64, user_id: i64, now: i64) -> AppResult<Standing> {
    let rule = orgs::two_factor_rule(db, org_id).await?;
    if rule.deadline.is_none() {
        return Ok(Standing::NotRequired);
    }
    let account = factors::Account {
        held: credentials::held(db, user_id).await?.kinds,
        has_password: users::has_password(db, user_id).await?,
    };
    Ok(factors::standing(account, rule, now))
}

/// The organization requires verified addresses, and the member's is not.
pub async fn unverified_refused(db: &Db, org_id: i64, user_id: i64) -> AppResult<bool> {
    Ok(org_settings::requires_verified_emails(db, org_id).await? && !users::email_verified(db, user_id).await?)
}

/// The organization `slug` as a member acting in it sees it, through the
/// gate every page, server function and REST route of an organization
/// passes: a member, and not refused by its 2FA requirement.
pub async fn member_org(state: &AppState, user: &User, slug: &str) -> AppResult<OrgSummary> {
    let org = orgs::find_for_member(&state.db, slug.trim(), user.id).await?.ok_or(Refused::NoSuchOrganization)?;
    if org.two_factor_deadline.is_some() && standing(&state.db, org.id, user.id, state.clock.now()).await?.is_refused()
    {
        return Err(AppError::TwoFactorRequired { org: org.name, slug: org.slug });
    }
    if unverified_refused(&state.db, org.id, user.id).await? {
        return Err(Refused::VerifiedAddressRequiredBy { org: org.name }.into());
    }
    Ok(org)
}
