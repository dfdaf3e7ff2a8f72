use leptos::prelude::*;

use crate::error::AppError;
use crate::model::OrgSummary;

/// Creates an organization; the creator becomes its owner.
#[server(endpoint = "create_org")]
pub async fn create_org(name: String, slug: String) -> Result<OrgSummary, AppError> {
    use crate::server::flows::orgs::{self, NewOrg};
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    let org = orgs::create(&access.cx(), &access.user, NewOrg { name, slug }).await?;
    leptos_axum::redirect(&format!("/orgs/{}", org.slug));
    Ok(org)
}
