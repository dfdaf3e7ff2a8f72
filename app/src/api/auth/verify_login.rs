use leptos::prelude::*;

use crate::error::AppError;
use crate::model::SecondStepDone;

/// The second login step: a code from the app, or a backup code when
/// `recovery` is set. Only now is the session created, with a fresh id.
#[server(endpoint = "verify_login")]
pub async fn verify_login(code: String, #[server(default)] recovery: bool) -> Result<SecondStepDone, AppError> {
    use crate::server::events::{self, SecurityEvent};
    use crate::server::request::{pending_login_token, request_meta, set_cookie, start_session, state};
    use crate::server::second_factor::{self, Accept, Factor};
    use crate::server::{credentials, pending_logins};

    let state = state()?;
    let expired = || AppError::Unauthenticated;
    let token = pending_login_token().ok_or_else(expired)?;
    let user_id = pending_logins::user_for(&state.db, &token, state.clock.now()).await?.ok_or_else(expired)?;
    let accept = if recovery { Accept::BackupCode } else { Accept::Totp };
    let meta = request_meta();
    let factor = second_factor::verify(&state, user_id, &code, accept, &meta).await?;
    // Two right codes at once (a TOTP and a backup code) must not make two sessions.
    if !pending_logins::consume(&state.db, &token).await? {
        return Err(expired());
    }
    set_cookie(&pending_logins::cookie(None, &state.settings));
    let proof = match factor {
        Factor::Totp => crate::server::sessions::Proof::PasswordAndTotp,
        Factor::BackupCode => crate::server::sessions::Proof::PasswordAndBackupCode,
    };
    start_session(&state, user_id, proof).await?;
    events::record(&state.db, user_id, SecurityEvent::LoggedIn, &meta, state.clock.now()).await?;
    let backup_codes_left = match factor {
        Factor::BackupCode => Some(credentials::codes_left(&state.db, user_id).await?),
        Factor::Totp => None,
    };
    if backup_codes_left.is_none() {
        leptos_axum::redirect("/");
    }
    Ok(SecondStepDone { backup_codes_left })
}
