use leptos::prelude::*;

use super::LoginRedirect;
use crate::error::AppError;

/// The key's answer at the login's second step; only now is the session
/// created, with a fresh id. `next`: where to continue, a path on this site.
#[server(endpoint = "finish_key_login")]
pub async fn finish_key_login(
    ceremony: String,
    credential: String,
    #[server(default)] next: String,
) -> Result<LoginRedirect, AppError> {
    use crate::server::flows::key_login;
    use crate::server::gate::request::{hand_out_session, pending_login_token, set_cookie, signing_in};
    use crate::server::store::pending_logins;

    let visit = signing_in()?;
    let pending_token = pending_login_token().ok_or(AppError::Unauthenticated)?;
    let done = key_login::finish_second_step(&visit.cx(), &pending_token, &ceremony, &credential).await?;
    set_cookie(&pending_logins::cookie(None, &visit.state.settings));
    hand_out_session(&visit.state, &done.session);
    Ok(super::continue_to(&next))
}
