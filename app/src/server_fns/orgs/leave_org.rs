use leptos::prelude::*;

use crate::error::AppError;

/// The signed-in member leaves the organization; its last owner cannot.
#[server(endpoint = "leave_org")]
pub async fn leave_org(slug: String) -> Result<(), AppError> {
    use crate::server::flows::invitations;
    use crate::server::gate::request::org_access;

    let access = org_access(&slug).await?;
    invitations::leave(&access.cx(), access.in_org()).await?;
    // The organization's page is closed to them now.
    leptos_axum::redirect("/");
    Ok(())
}
