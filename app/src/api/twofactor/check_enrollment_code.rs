use leptos::prelude::*;

use crate::error::AppError;

/// Step 2, "Check Code": a right code moves to step 3 and returns the backup codes.
#[server(endpoint = "check_enrollment_code")]
pub async fn check_enrollment_code(code: String) -> Result<Vec<String>, AppError> {
    use crate::server::enrollments::{self, Enrollment};
    use crate::server::request::{request_meta, require_session, state};
    use crate::server::{credentials, second_factor};
    use crate::twofactor::backup_codes;

    let (user, session_hash) = require_session().await?;
    let state = state()?;
    let now = state.clock.now();
    if credentials::is_enabled(&state.db, user.id).await? {
        enrollments::delete(&state.db, &session_hash).await?;
        return Err(enrollments::voided());
    }
    match enrollments::load(&state.db, &state.keys, &session_hash, user.id, now).await? {
        // Checked already (a double click, a retry): show the same codes again.
        Enrollment::Verified { codes, .. } => Ok(codes),
        Enrollment::Started { secret } => {
            let step =
                second_factor::verify_enrollment_code(&state, user.id, &user.email, &secret, &code, &request_meta())
                    .await?;
            let codes = backup_codes::generate();
            if enrollments::mark_verified(&state.db, &state.keys, &session_hash, user.id, step, &codes).await? {
                return Ok(codes);
            }
            // A concurrent request verified first: its codes are the ones that count.
            match enrollments::load(&state.db, &state.keys, &session_hash, user.id, now).await? {
                Enrollment::Verified { codes, .. } => Ok(codes),
                Enrollment::Started { .. } => Err(AppError::Internal),
            }
        }
    }
}
