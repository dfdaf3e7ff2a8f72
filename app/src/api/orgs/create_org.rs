use leptos::prelude::*;

use crate::error::AppError;
use crate::model::OrgSummary;

/// Creates an organization; the creator becomes its owner.
#[server(endpoint = "create_org")]
pub async fn create_org(name: String, slug: String) -> Result<OrgSummary, AppError> {
    use crate::server::orgs;
    use crate::server::request::{require_user, state};
    use crate::validate;

    let user = require_user().await?;
    let name = validate::org_name(&name)?;
    let slug = validate::slug(if slug.trim().is_empty() { validate::slug_from_name(&name) } else { slug }.as_str())?;
    let state = state()?;
    let org = orgs::create(&state.db, user.id, &name, &slug, state.clock.now()).await?;
    leptos_axum::redirect(&format!("/orgs/{}", org.slug));
    Ok(org)
}
