use leptos::prelude::*;

use crate::error::AppError;

/// Removes a member; the last owner stays.
#[server(endpoint = "remove_member")]
pub async fn remove_member(slug: String, user_id: i64) -> Result<(), AppError> {
    use crate::policy;
    use crate::server::orgs;
    use crate::server::request::org_access;

    let access = org_access(&slug).await?;
    let db = &access.state.db;
    let target = orgs::role_of(db, access.org.id, user_id)
        .await?
        .ok_or_else(|| AppError::not_found("That person is not a member of this organization."))?;
    policy::may_remove(access.org.my_role, target).map_err(AppError::forbidden)?;
    orgs::remove_member(db, &access.actor(), user_id, target, access.state.clock.now()).await
}
