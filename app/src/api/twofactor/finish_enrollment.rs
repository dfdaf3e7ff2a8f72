use leptos::prelude::*;

use crate::error::AppError;

/// "I've Saved my Codes": the one moment 2FA turns on. Secret, codes, the
/// end of the account's other sessions, this session's fresh id and the log
/// row commit in one transaction, which also consumes the enrollment.
#[server(endpoint = "finish_enrollment")]
pub async fn finish_enrollment() -> Result<(), AppError> {
    use crate::server::enrollments::{self, Enrollment};
    use crate::server::events::{self, SecurityEvent};
    use crate::server::request::{forget_session, request_meta, require_session, set_cookie, state};
    use crate::server::{credentials, sessions};

    let (user, session_hash) = require_session().await?;
    let state = state()?;
    let now = state.clock.now();
    let Enrollment::Verified { secret, step, codes } =
        enrollments::load(&state.db, &state.keys, &session_hash, user.id, now).await?
    else {
        return Err(AppError::conflict("Check a code from your authenticator app first."));
    };
    let mut tx = state.db.begin().await?;
    // The credential first: of two sessions finishing at once, the second waits here and gets a 409.
    credentials::enable(&mut tx, &state.keys, user.id, &secret, step, &codes, now).await?;
    if !enrollments::consume(&mut tx, &session_hash, user.id).await? {
        return Err(enrollments::voided());
    }
    let token = sessions::replace_all_for_user(&mut tx, user.id, &session_hash, now).await?;
    events::record(&mut *tx, user.id, SecurityEvent::TwoFactorEnabled, &request_meta(), now).await?;
    tx.commit().await?;
    set_cookie(&sessions::cookie(Some(&token), &state.settings));
    forget_session();
    Ok(())
}
