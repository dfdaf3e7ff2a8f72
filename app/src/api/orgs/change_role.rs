use leptos::prelude::*;

use crate::error::AppError;

/// Changes a member's role; an organization always keeps an owner.
#[server(endpoint = "change_role")]
pub async fn change_role(slug: String, user_id: i64, role: String) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::policy;
    use crate::server::orgs;
    use crate::server::request::org_access;

    let access = org_access(&slug).await?;
    let role: Role = role.parse().map_err(|m: String| AppError::validation("role", m))?;
    let db = &access.state.db;
    let target = orgs::role_of(db, access.org.id, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("That person is not a member of this organization."))?;
    policy::may_change_role(access.org.my_role, target, role).map_err(AppError::forbidden)?;
    orgs::set_role(db, &access.actor(), user_id, target, role, access.state.clock.now()).await
}
