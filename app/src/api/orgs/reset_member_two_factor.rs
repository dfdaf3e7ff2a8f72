use leptos::prelude::*;

use crate::error::AppError;

/// An owner's or admin's reset of a member's 2FA (a lost phone). The actor
/// must have 2FA and re-authenticates with their password and a current
/// second factor; the member's sessions end, they are told at their next
/// visit, and every organization they belong to finds it in its audit log.
#[server(endpoint = "reset_member_two_factor")]
pub async fn reset_member_two_factor(
    slug: String,
    user_id: i64,
    password: String,
    code: String,
) -> Result<(), AppError> {
    use crate::policy::{self, ResetCircumstances};
    use crate::server::member_resets::{self, Reset};
    use crate::server::request::{org_access, request_meta};
    use crate::server::second_factor::{self, Accept};
    use crate::server::{credentials, orgs};

    let access = org_access(&slug).await?;
    let (state, org, actor) = (&access.state, &access.org, &access.user);
    let target_role = orgs::role_of(&state.db, org.id, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("That person is not a member of this organization."))?;
    if user_id == actor.id {
        return Err(AppError::validation(
            "user_id",
            "To turn off your own two-factor authentication, use your Account page.",
        ));
    }
    let circumstances = ResetCircumstances {
        actor_has_two_factor: credentials::is_enabled(&state.db, actor.id).await?,
        target_manages_another_org: orgs::manages_another_org(&state.db, user_id, org.id).await?,
    };
    policy::may_reset_two_factor(org.my_role, target_role, circumstances).map_err(AppError::forbidden)?;
    if !credentials::is_enabled(&state.db, user_id).await? {
        return Err(AppError::conflict("That member does not have two-factor authentication enabled."));
    }
    let meta = request_meta();
    second_factor::reauthenticate(state, actor.id, &actor.email, password, Some((&code, Accept::Either)), &meta)
        .await?;
    member_resets::reset(state, &Reset { actor, org, target_id: user_id, target_role }, &meta).await
}
