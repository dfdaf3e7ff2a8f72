use leptos::prelude::*;

use crate::error::AppError;
use crate::model::EnrollmentStart;

/// The refusal's reason by which the dialog knows to ask for the password first.
pub const PASSWORD_NEEDED: &str = "password_needed_for_enrollment";
/// ... and to ask for a backup code too (an account whose only code comes by text message).
pub const BACKUP_CODE_NEEDED: &str = "backup_code_needed_to_add_factor";

/// Step 1: a new secret, kept on the server, shown as a QR code and a setup key.
/// A session that last gave its password more than a few minutes ago must give it again.
#[server(endpoint = "start_enrollment")]
pub async fn start_enrollment(
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<EnrollmentStart, AppError> {
    use crate::server::flows::enrollment;
    use crate::server::gate::request::session_access;
    use crate::twofactor::qr;

    let access = session_access().await?;
    let password = (!password.is_empty()).then_some(password);
    let code = (!code.trim().is_empty()).then_some(code);
    let secret = enrollment::start(&access.cx(), access.in_session(), password, code).await?;
    let qr_svg = qr::svg(&secret.otpauth_uri(&access.user.email)).ok_or(AppError::Internal)?;
    Ok(EnrollmentStart { qr_svg, setup_key: secret.grouped(), account: access.user.email })
}
