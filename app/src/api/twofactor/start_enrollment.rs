use leptos::prelude::*;

use crate::error::AppError;
use crate::model::EnrollmentStart;

/// Step 1: a new secret, kept on the server, shown as a QR code and a setup key.
#[server(endpoint = "start_enrollment")]
pub async fn start_enrollment() -> Result<EnrollmentStart, AppError> {
    use crate::server::request::{require_session, state};
    use crate::server::{credentials, enrollments};
    use crate::twofactor::qr;

    let (user, session_hash) = require_session().await?;
    let state = state()?;
    if credentials::is_enabled(&state.db, user.id).await? {
        return Err(AppError::conflict("Two-factor authentication is already enabled."));
    }
    let secret = enrollments::start(&state.db, &state.keys, &session_hash, user.id, state.clock.now()).await?;
    let qr_svg = qr::svg(&secret.otpauth_uri(&user.email)).ok_or(AppError::Internal)?;
    Ok(EnrollmentStart { qr_svg, setup_key: secret.grouped(), account: user.email })
}
