use leptos::prelude::*;

use crate::error::AppError;

/// Removes a member; the last owner stays.
#[server(endpoint = "remove_member")]
pub async fn remove_member(slug: String, user_id: i64) -> Result<(), AppError> {
    use crate::server::flows::orgs;
    use crate::server::gate::request::org_access;

    let access = org_access(&slug).await?;
    orgs::remove_member(&access.cx(), access.in_org(), user_id).await
}
