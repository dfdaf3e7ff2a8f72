use leptos::prelude::*;

use crate::error::AppError;

/// A new address for the account: the password (and, with 2FA on, a code or
/// a security key confirmed just before). A link goes to the new address;
/// the old one is told.
#[server(endpoint = "change_email")]
pub async fn change_email(email: String, password: String, #[server(default)] code: String) -> Result<(), AppError> {
    use crate::server::flows::reauthentication::Reauthentication;
    use crate::server::gate::request::session_access;
    use crate::server_fns::plain_form::back_with_notice;

    let access = session_access().await?;
    crate::server::flows::email::change(&access.cx(), access.in_session(), &email, Reauthentication { password, code })
        .await?;
    back_with_notice("saved", "email");
    Ok(())
}
