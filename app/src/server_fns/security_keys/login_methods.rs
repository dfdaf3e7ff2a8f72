use leptos::prelude::*;

use crate::error::AppError;
use crate::security_keys::LoginMethods;

/// What the login pages offer: "Sign in with a passkey" when WebAuthn is on;
/// at the second step, the pending login's methods ("Use your security key"
/// first when it is the only one). Only the pending login's holder, who gave
/// the password, learns the account's methods.
#[server(endpoint = "login_methods")]
pub async fn load_login_methods() -> Result<LoginMethods, AppError> {
    use crate::server::gate::request::{pending_login_token, visit};
    use crate::server::{store::credentials, store::pending_logins};

    let visit = visit()?;
    let webauthn = visit.state.webauthn.is_some();
    let db = &visit.state.db;
    let user_id = match pending_login_token() {
        Some(token) => pending_logins::user_for(db, &token, visit.state.clock.now()).await?,
        None => None,
    };
    let held = match user_id {
        Some(user_id) => credentials::held(db, user_id).await?,
        None => Default::default(),
    };
    let authenticator_app = held.has(crate::factors::Kind::App);
    Ok(LoginMethods {
        webauthn,
        authenticator_app,
        security_keys: webauthn && held.has(crate::factors::Kind::SecurityKey),
    })
}
