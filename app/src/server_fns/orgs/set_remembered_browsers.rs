use leptos::prelude::*;

use crate::error::AppError;

/// The Settings tab's "Let members skip the code on browsers they remember":
/// owners and admins forbid it, owners allow it.
#[server(endpoint = "set_remembered_browsers")]
pub async fn set_remembered_browsers(slug: String, #[server(default)] allow: bool) -> Result<(), AppError> {
    use crate::server::gate::request::org_access;

    let access = org_access(&slug).await?;
    crate::server::flows::orgs::set_remembered_browsers(&access.cx(), access.in_org(), allow).await?;
    crate::server_fns::plain_form::back_with_notice("saved", "remembered-browsers");
    Ok(())
}
