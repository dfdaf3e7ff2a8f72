use leptos::prelude::*;

use crate::error::AppError;

/// "I've Saved my Codes": the one moment 2FA turns on. Secret and codes are
/// committed in one transaction, and the enrollment is consumed by it.
#[server(endpoint = "finish_enrollment")]
pub async fn finish_enrollment() -> Result<(), AppError> {
    use crate::server::enrollments::{self, Enrollment};
    use crate::server::events::{self, SecurityEvent};
    use crate::server::request::{request_meta, require_session, state};
    use crate::server::credentials;

    let (user, session_hash) = require_session().await?;
    let state = state()?;
    let now = state.clock.now();
    let Enrollment::Verified { secret, step, codes } = enrollments::load(&state.db, &state.keys, &session_hash, user.id, now).await? else {
        return Err(AppError::conflict("Check a code from your authenticator app first."));
    };
    let mut tx = state.db.begin().await?;
    credentials::enable(&mut tx, &state.keys, user.id, &secret, step, &codes, now).await?;
    enrollments::delete(&mut *tx, &session_hash).await?;
    tx.commit().await?;
    events::record(&state.db, user.id, SecurityEvent::TwoFactorEnabled, &request_meta(), now).await?;
    Ok(())
}
