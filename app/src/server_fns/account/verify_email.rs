use leptos::prelude::*;

use crate::error::AppError;

/// The button on the page a verification link opens (a button, not the
/// link itself: mail scanners that open links must not use it up).
#[server(endpoint = "verify_email")]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    use crate::server::gate::request::visit;
    use crate::server_fns::plain_form::back_with_notice;

    let visit = visit()?;
    crate::server::flows::email::verify(&visit.cx(), &token).await?;
    back_with_notice("verified", "1");
    Ok(())
}
