use leptos::prelude::*;

use crate::error::AppError;
use crate::model::OrgSettings;

/// The Settings tab: owners and admins only.
#[server(endpoint = "load_org_settings")]
pub async fn load_org_settings(slug: String) -> Result<OrgSettings, AppError> {
    use crate::policy::{self, ManagerTask};
    use crate::server::gate::request::org_access;
    use crate::server::store::orgs;

    let access = org_access(&slug).await?;
    policy::may_manage(access.org.my_role, ManagerTask::SeeSettings)?;
    let (require_two_factor, grace_days) = orgs::two_factor_policy(&access.state.db, access.org.id).await?;
    let allow_api_tokens = crate::server::store::api_tokens::org_allows(&access.state.db, access.org.id).await?;
    let allowed_factors = orgs::allowed_factors(&access.state.db, access.org.id).await?;
    let allow_remembered_browsers =
        !crate::server::store::browsers::org_forbids(&access.state.db, access.org.id).await?;
    let require_verified_emails =
        crate::server::store::org_settings::requires_verified_emails(&access.state.db, access.org.id).await?;
    let require_upstream_mfa =
        crate::server::store::org_settings::requires_upstream_mfa(&access.state.db, access.org.id).await?;
    Ok(OrgSettings {
        org: access.org,
        require_two_factor,
        grace_days,
        allow_api_tokens,
        allowed_factors,
        allow_remembered_browsers,
        require_verified_emails,
        require_upstream_mfa,
        sms_offered: access.state.settings.sms.is_some(),
    })
}
