use leptos::prelude::*;

use crate::error::AppError;
use crate::model::OrgPage;

/// The organization and its members, for any member.
#[server(endpoint = "load_org")]
pub async fn load_org(slug: String) -> Result<OrgPage, AppError> {
    use crate::server::orgs;
    use crate::server::request::{org_access};

    let access = org_access(&slug).await?;
    let members = orgs::members(&access.state.db, access.org.id, access.org.my_role.can_manage()).await?;
    Ok(OrgPage { org: access.org, members })
}
