use leptos::prelude::*;

use crate::error::AppError;
use crate::model::ResetForm;

/// What the page behind a reset link asks for, if the link still works.
#[server(endpoint = "load_reset_form")]
pub async fn load_reset_form(token: String) -> Result<ResetForm, AppError> {
    use crate::server::gate::request::visit;

    let visit = visit()?;
    crate::server::flows::password::reset_form(&visit.cx(), &token).await
}
