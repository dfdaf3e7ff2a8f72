use leptos::prelude::*;

use crate::error::AppError;

/// Invites a person, by email, to join with `role`. The answer is the same
/// whether or not an account uses the email.
#[server(endpoint = "add_member")]
pub async fn add_member(slug: String, email: String, role: String) -> Result<String, AppError> {
    use crate::server::flows::orgs;
    use crate::server::request::org_access;

    let access = org_access(&slug).await?;
    let email = orgs::invite(&access.cx(), access.in_org(), &email, &role).await?;
    crate::api::plain_form::back_with_notice("invited", &email);
    Ok(crate::model::invitation_sent(&email))
}
