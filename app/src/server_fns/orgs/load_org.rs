use leptos::prelude::*;

use crate::error::AppError;
use crate::model::OrgPage;

/// The organization and its members, for any member; emails and 2FA status for managers only.
#[server(endpoint = "load_org")]
pub async fn load_org(slug: String) -> Result<OrgPage, AppError> {
    use crate::server::flows::members;
    use crate::server::gate::request::org_access;
    use crate::server::guards::compliance;

    let access = org_access(&slug).await?;
    let cx = access.cx();
    let members = members::list(&cx, access.in_org()).await?;
    // The banner: the grace period runs and the viewer has no allowed second factor yet.
    let two_factor_due = compliance::standing(cx.db(), access.org.id, access.user.id, cx.now).await?.due();
    Ok(OrgPage { org: access.org, members, two_factor_due })
}
