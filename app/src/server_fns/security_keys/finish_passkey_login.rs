use leptos::prelude::*;

use super::LoginRedirect;
use crate::error::AppError;

/// The passkey's answer: a session (both factors) for the account it names.
/// `next`: where to continue, a path on this site.
#[server(endpoint = "finish_passkey_login")]
pub async fn finish_passkey_login(
    ceremony: String,
    credential: String,
    #[server(default)] next: String,
) -> Result<LoginRedirect, AppError> {
    use crate::server::flows::key_login;
    use crate::server::gate::request::{clear_session_cookie, hand_out_session, session_token, signing_in};

    let visit = signing_in()?;
    let previous = session_token();
    let result = key_login::finish_passkey(&visit.cx(), previous.as_deref(), &ceremony, &credential).await;
    let (_, session) = match result {
        Ok(done) => done,
        Err(e) => {
            if previous.is_some() {
                clear_session_cookie(&visit.state);
            }
            return Err(e);
        }
    };
    hand_out_session(&visit.state, &session);
    Ok(super::continue_to(&next))
}
