use leptos::prelude::*;

use crate::applications::AllowedApplication;
use crate::error::AppError;

/// The Account page's "Applications you signed in to".
#[server(endpoint = "my_applications")]
pub async fn my_applications() -> Result<Vec<AllowedApplication>, AppError> {
    use crate::server::gate::request::require_user;

    let user = require_user().await?;
    let visit = crate::server::gate::request::visit()?;
    crate::server::flows::oidc::account::allowed(&visit.cx(), user.id).await
}
