use leptos::prelude::*;

use crate::error::AppError;

/// "Disable 2FA": password and a current code or a backup code, both required.
/// The account's other sessions end, and this one gets a fresh id.
#[server(endpoint = "disable_two_factor")]
pub async fn disable_two_factor(password: String, code: String) -> Result<(), AppError> {
    use crate::server::events::{self, SecurityEvent};
    use crate::server::request::{forget_session, request_meta, require_session, set_cookie, state};
    use crate::server::second_factor::{self, Accept};
    use crate::server::{credentials, sessions};

    let (user, session_hash) = require_session().await?;
    let state = state()?;
    let meta = request_meta();
    second_factor::require_enabled(&state, user.id).await?;
    second_factor::may_disable(&state, user.id).await?;
    second_factor::reauthenticate(&state, user.id, &user.email, password, Some((&code, Accept::Either)), &meta).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    credentials::disable_in(&mut tx, user.id).await?;
    let token = sessions::replace_all_for_user(&mut tx, user.id, &session_hash, now).await?;
    events::record(&mut *tx, user.id, SecurityEvent::TwoFactorDisabled, &meta, now).await?;
    tx.commit().await?;
    set_cookie(&sessions::cookie(Some(&token), &state.settings));
    forget_session();
    Ok(())
}
