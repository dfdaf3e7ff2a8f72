use leptos::prelude::*;

use crate::applications::ApplicationsPage;
use crate::error::AppError;

/// The Applications tab: owners and admins only.
#[server(endpoint = "load_applications")]
pub async fn load_applications(slug: String) -> Result<ApplicationsPage, AppError> {
    use crate::server::flows::applications as manage;

    let (access, _) = super::manager(&slug).await?;
    let cx = access.cx();
    let applications = manage::list(&cx, access.org.id).await?;
    let also_manages = manage::also_manages(&cx, access.org.id, access.user.id).await?;
    Ok(ApplicationsPage {
        issuer: access.state.settings.public_url.clone(),
        org: access.org.clone(),
        applications,
        also_manages,
    })
}
