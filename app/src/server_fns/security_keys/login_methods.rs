use leptos::prelude::*;

use crate::error::AppError;
use crate::security_keys::LoginMethods;

/// What the login pages offer: "Sign in with a passkey" when WebAuthn is on;
/// at the second step, the pending login's methods ("Use your security key"
/// first when it is the only one). Only the pending login's holder, who gave
/// the password, learns the account's methods.
#[server(endpoint = "login_methods")]
pub async fn load_login_methods() -> Result<LoginMethods, AppError> {
    use crate::model::SmsSent;
    use crate::server::flows::sms;
    use crate::server::gate::request::{pending_login_token, visit};
    use crate::server::{store::credentials, store::pending_logins};

    let visit = visit()?;
    let webauthn = visit.state.webauthn.is_some();
    let db = &visit.state.db;
    let token = pending_login_token();
    let user_id = match &token {
        Some(token) => pending_logins::user_for(db, token, visit.state.clock.now()).await?,
        None => None,
    };
    let held = match user_id {
        Some(user_id) => credentials::held(db, user_id).await?,
        None => Default::default(),
    };
    let authenticator_app = held.has(crate::factors::Kind::App);
    let (sms, texts_first) = match (user_id, &token) {
        (Some(user_id), Some(token)) if held.has(crate::factors::Kind::Sms) => {
            let cx = visit.cx();
            let state = sms::login_code_state(&cx, user_id, token).await?;
            let first = sms::texts_first(&cx, user_id).await?;
            let sent = state.map(|s| SmsSent { masked: s.masked, sent: s.sent, resend_in_secs: s.resend_in_secs });
            (sent, first)
        }
        _ => (None, false),
    };
    Ok(LoginMethods {
        webauthn,
        authenticator_app,
        security_keys: webauthn && held.has(crate::factors::Kind::SecurityKey),
        texts_first: texts_first && sms.is_some(),
        sms,
    })
}
