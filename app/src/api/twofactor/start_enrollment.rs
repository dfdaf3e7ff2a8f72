use leptos::prelude::*;

use crate::error::AppError;
use crate::model::EnrollmentStart;

/// The message (on field "password") by which the dialog knows to ask for the password first.
pub const PASSWORD_NEEDED: &str = "For your security, enter your password again to set up two-factor authentication.";

/// Step 1: a new secret, kept on the server, shown as a QR code and a setup key.
/// A session that last gave its password more than a few minutes ago must give it again.
#[server(endpoint = "start_enrollment")]
pub async fn start_enrollment(#[server(default)] password: String) -> Result<EnrollmentStart, AppError> {
    use crate::policy;
    use crate::server::request::{request_meta, require_session, state};
    use crate::server::{credentials, enrollments, second_factor, sessions};
    use crate::twofactor::qr;

    let (user, session_hash) = require_session().await?;
    let state = state()?;
    if credentials::is_enabled(&state.db, user.id).await? {
        return Err(AppError::conflict("Two-factor authentication is already enabled."));
    }
    let now = state.clock.now();
    if !password.is_empty() {
        second_factor::reauthenticate(&state, user.id, &user.email, password, None, &request_meta()).await?;
        sessions::mark_authenticated(&state.db, &session_hash, now).await?;
    } else {
        let authenticated_at =
            sessions::authenticated_at(&state.db, &session_hash).await?.ok_or(AppError::Unauthenticated)?;
        if policy::must_reauthenticate(authenticated_at, now) {
            return Err(AppError::validation("password", PASSWORD_NEEDED));
        }
    }
    let secret = enrollments::start(&state.db, &state.keys, &session_hash, user.id, now).await?;
    let qr_svg = qr::svg(&secret.otpauth_uri(&user.email)).ok_or(AppError::Internal)?;
    Ok(EnrollmentStart { qr_svg, setup_key: secret.grouped(), account: user.email })
}
