use leptos::prelude::*;

use crate::error::AppError;
use crate::security_keys::SecurityKeys;

/// The Account page's "Security keys and passkeys": the signed-in user's keys.
#[server(endpoint = "security_keys")]
pub async fn load_security_keys() -> Result<SecurityKeys, AppError> {
    use crate::server::flows::security_keys;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    let keys = security_keys::list(&access.cx(), access.user.id).await?;
    let held = crate::server::store::credentials::held(&access.state.db, access.user.id).await?;
    let authenticator_app = held.has(crate::factors::Kind::App);
    let rp = access.state.webauthn.as_deref();
    Ok(SecurityKeys { available: rp.is_some(), origin: rp.map(|rp| rp.origin.clone()), keys, authenticator_app })
}
