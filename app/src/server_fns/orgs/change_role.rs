use leptos::prelude::*;

use crate::error::AppError;

/// Changes a member's role; an organization always keeps an owner.
#[server(endpoint = "change_role")]
pub async fn change_role(slug: String, user_id: i64, role: String) -> Result<(), AppError> {
    use crate::server::flows::orgs;
    use crate::server::gate::request::org_access;

    let access = org_access(&slug).await?;
    orgs::change_role(&access.cx(), access.in_org(), user_id, &role).await
}
