use leptos::prelude::*;

use crate::error::AppError;

/// The Settings tab's "Allowed second factors" (a plain form): owners and
/// admins; at least one kind stays allowed.
#[server(endpoint = "set_allowed_factors")]
pub async fn set_allowed_factors(
    slug: String,
    #[server(default)] authenticator_app: bool,
    #[server(default)] security_keys: bool,
) -> Result<(), AppError> {
    use crate::policy::AllowedFactors;
    use crate::server::flows::orgs;
    use crate::server::request::org_access;

    let access = org_access(&slug).await?;
    let allowed = AllowedFactors { authenticator_app, security_keys };
    orgs::set_allowed_factors(&access.cx(), access.in_org(), allowed).await?;
    crate::api::plain_form::redirect_plain_form(&format!("/orgs/{}/settings", access.org.slug));
    Ok(())
}
