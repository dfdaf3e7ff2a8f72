use leptos::prelude::*;

use crate::error::AppError;
use crate::model::OrgSummary;

/// The organizations the signed-in user belongs to.
#[server(endpoint = "my_orgs")]
pub async fn my_orgs() -> Result<Vec<OrgSummary>, AppError> {
    use crate::server::gate::request::{require_user, state};
    use crate::server::store::orgs;

    let user = require_user().await?;
    orgs::list_for_user(&state()?.db, user.id).await
}
