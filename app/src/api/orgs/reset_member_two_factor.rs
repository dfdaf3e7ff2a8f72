use leptos::prelude::*;

use crate::error::AppError;

/// An admin's reset of a member's 2FA (a lost phone). The actor re-enters
/// their password; the member's sessions end, they are told at their next login and, where the
/// organization requires 2FA, must enroll again before entering it.
#[server(endpoint = "reset_member_two_factor")]
pub async fn reset_member_two_factor(slug: String, user_id: i64, password: String) -> Result<(), AppError> {
    use crate::model::format_date;
    use crate::policy;
    use crate::server::events::{self, SecurityEvent};
    use crate::server::request::{org_access, request_meta};
    use crate::server::{credentials, orgs, second_factor, sessions, users};

    let access = org_access(&slug).await?;
    let (state, org) = (&access.state, &access.org);
    let target = orgs::role_of(&state.db, org.id, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("That person is not a member of this organization."))?;
    policy::may_reset_two_factor(org.my_role, target).map_err(AppError::forbidden)?;
    if user_id == access.user.id {
        return Err(AppError::validation("user_id", "To turn off your own two-factor authentication, use your Account page."));
    }
    if !credentials::is_enabled(&state.db, user_id).await? {
        return Err(AppError::conflict("That member does not have two-factor authentication enabled."));
    }
    let meta = request_meta();
    second_factor::reauthenticate(state, access.user.id, &access.user.email, password, None, &meta).await?;
    let now = state.clock.now();
    credentials::disable(&state.db, user_id).await?;
    // A lost phone may be a stolen one: its sessions end too, the member logs in again.
    sessions::delete_all_for_user(&state.db, user_id).await?;
    let required = if org.two_factor_deadline.is_some() { format!(": {} requires it", org.name) } else { String::new() };
    let notice = format!(
        "An admin of {} reset your two-factor authentication on {}. Set it up again on your Account page{required}.",
        org.name,
        format_date(now),
    );
    users::set_notice(&state.db, user_id, &notice).await?;
    events::record(&state.db, user_id, SecurityEvent::TwoFactorResetByAdmin, &meta, now).await?;
    orgs::audit(&state.db, org.id, access.user.id, "member_two_factor_reset", &format!("user {user_id}"), now).await?;
    Ok(())
}
