use leptos::prelude::*;

use crate::error::AppError;

/// "Enable for all users in organization", with its grace period.
#[server(endpoint = "set_two_factor_requirement")]
pub async fn set_two_factor_requirement(
    slug: String,
    #[server(default)] require: bool,
    #[server(default)] grace_days: i64,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    use crate::server::flows::orgs::{self, RequirementInput};
    use crate::server::gate::request::org_access;

    let access = org_access(&slug).await?;
    let input = RequirementInput { require, grace_days, password, code };
    orgs::set_requirement(&access.cx(), access.in_org(), input).await?;
    crate::server_fns::plain_form::back_with_notice("saved", "two-factor");
    Ok(())
}
