use leptos::prelude::*;

use crate::error::AppError;

/// The Settings tab's "Require several factors from identity providers":
/// owners and admins switch it on, owners off.
#[server(endpoint = "set_upstream_mfa_requirement")]
pub async fn set_upstream_mfa_requirement(slug: String, #[server(default)] require: bool) -> Result<(), AppError> {
    use crate::server::gate::request::org_access;

    let access = org_access(&slug).await?;
    crate::server::flows::orgs::set_upstream_mfa_requirement(&access.cx(), access.in_org(), require).await?;
    crate::server_fns::plain_form::back_with_notice("saved", "upstream-mfa");
    Ok(())
}
