use leptos::prelude::*;

use crate::error::AppError;

/// "Remove password": the account signs in through its providers or
/// passkeys only (the Hub seed's other way to meet a 2FA requirement).
#[server(endpoint = "remove_password")]
pub async fn remove_password(password: String, #[server(default)] code: String) -> Result<(), AppError> {
    use crate::server::flows::reauthentication::Reauthentication;
    use crate::server::gate::request::session_access;
    use crate::server_fns::plain_form::back_with_notice;

    let access = session_access().await?;
    let proof = Reauthentication { password, code };
    crate::server::flows::upstream::remove_password(&access.cx(), access.in_session(), proof).await?;
    back_with_notice("saved", "password_removed");
    Ok(())
}
