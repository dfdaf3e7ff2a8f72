use leptos::prelude::*;

use crate::error::AppError;

/// "Remove" (a plain form on the Account page): the password and a code from
/// the authenticator app or a backup code. Removing the last second factor
/// turns 2FA off, unless an organization requires it.
#[server(endpoint = "remove_security_key")]
pub async fn remove_security_key(id: i64, password: String, code: String) -> Result<(), AppError> {
    use crate::server::flows::backup_codes::Reauthentication;
    use crate::server::flows::security_keys;
    use crate::server::gate::request::{hand_out_session, session_access};

    let access = session_access().await?;
    let input = Reauthentication { password, code };
    if let Some(session) = security_keys::remove(&access.cx(), access.in_session(), id, input).await? {
        hand_out_session(&access.state, &session);
    }
    crate::server_fns::plain_form::redirect_plain_form("/account#security-keys");
    Ok(())
}
