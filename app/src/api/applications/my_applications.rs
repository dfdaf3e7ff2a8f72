use leptos::prelude::*;

use crate::applications::AllowedApplication;
use crate::error::AppError;

/// The Account page's "Applications you signed in to".
#[server(endpoint = "my_applications")]
pub async fn my_applications() -> Result<Vec<AllowedApplication>, AppError> {
    use crate::server::request::require_user;

    let user = require_user().await?;
    let visit = crate::server::request::visit()?;
    crate::server::oidc::account::allowed(&visit.cx(), user.id).await
}
