use leptos::prelude::*;

use crate::error::AppError;
use crate::security_keys::KeyAdded;

/// The authenticator's answer to "Add a security key" (`credential`: the
/// PublicKeyCredential as JSON). The first key turns 2FA on: the answer then
/// carries the new backup codes, and the session gets a fresh id.
#[server(endpoint = "finish_key_registration")]
pub async fn finish_key_registration(ceremony: String, credential: String) -> Result<KeyAdded, AppError> {
    use crate::server::flows::security_keys;
    use crate::server::gate::request::{hand_out_session, session_access};

    let access = session_access().await?;
    let added = security_keys::finish_registration(&access.cx(), access.in_session(), &ceremony, &credential).await?;
    if let Some(session) = &added.session {
        hand_out_session(&access.state, session);
    }
    Ok(KeyAdded { key: added.key, backup_codes: added.backup_codes })
}
