use leptos::prelude::*;

use crate::error::AppError;

/// "Forgot password": mails a reset link if an account has the address. The
/// answer is the same either way.
#[server(endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use crate::server::gate::request::visit;
    use crate::server_fns::plain_form::back_with_notice;

    let visit = visit()?;
    crate::server::flows::password::request_reset(&visit.cx(), &email).await?;
    back_with_notice("sent", "reset");
    Ok(())
}
