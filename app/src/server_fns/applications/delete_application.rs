use leptos::prelude::*;

use crate::error::AppError;

/// "Delete": the application with every code, token, consent and sign-in of it.
#[server(endpoint = "delete_application")]
pub async fn delete_application(slug: String, client_id: String) -> Result<(), AppError> {
    let (access, actor) = super::manager(&slug).await?;
    crate::server::flows::applications::delete(&access.cx(), actor, &client_id).await
}
