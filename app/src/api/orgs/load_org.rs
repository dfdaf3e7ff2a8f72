use leptos::prelude::*;

use crate::error::AppError;
use crate::model::OrgPage;

/// The organization and its members, for any member.
#[server(endpoint = "load_org")]
pub async fn load_org(slug: String) -> Result<OrgPage, AppError> {
    use crate::server::request::org_access;
    use crate::server::{credentials, orgs};

    let access = org_access(&slug).await?;
    let members = orgs::members(&access.state.db, access.org.id, access.org.my_role.can_manage()).await?;
    let two_factor_due = match access.org.two_factor_deadline {
        Some(deadline) if !credentials::is_enabled(&access.state.db, access.user.id).await? => Some(deadline),
        _ => None,
    };
    Ok(OrgPage { org: access.org, members, two_factor_due })
}
