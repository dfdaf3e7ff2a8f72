use leptos::prelude::*;

use crate::error::AppError;

/// The Settings tab's "Allow personal access tokens and application passwords
/// for this organization's data": owners only.
#[server(endpoint = "set_api_access")]
pub async fn set_api_access(slug: String, #[server(default)] allow: bool) -> Result<(), AppError> {
    use crate::server::flows::api_tokens;
    use crate::server::gate::request::org_access;

    let access = org_access(&slug).await?;
    api_tokens::set_org_api_access(&access.cx(), access.in_org(), allow).await?;
    crate::server_fns::plain_form::back_with_notice("saved", "api-access");
    Ok(())
}
