use leptos::prelude::*;

use crate::error::AppError;
use crate::model::BackupCodeView;

/// "Reveal codes": the password and a current code from the authenticator
/// app. Never a backup code: a session holding one revealed code could
/// otherwise reveal the rest and turn 2FA off. Used codes come back marked.
#[server(endpoint = "reveal_codes")]
pub async fn reveal_codes(password: String, #[server(default)] code: String) -> Result<Vec<BackupCodeView>, AppError> {
    use crate::server::credentials;
    use crate::server::events::{self, SecurityEvent};
    use crate::server::request::{request_meta, require_user, state};
    use crate::server::second_factor::{self, Accept};
    use crate::twofactor::{backup_codes, totp};

    let user = require_user().await?;
    let state = state()?;
    let meta = request_meta();
    second_factor::require_enabled(&state, user.id).await?;
    if totp::normalize_code(&code).is_none() && backup_codes::normalize(&code).is_some() {
        return Err(AppError::validation(
            "code",
            "A backup code cannot reveal backup codes. Enter the 6-digit code your authenticator app shows now.",
        ));
    }
    second_factor::reauthenticate(&state, user.id, &user.email, password, Some((&code, Accept::Totp)), &meta).await?;
    let codes = credentials::backup_codes(&state.db, &state.keys, user.id).await?;
    events::record(&state.db, user.id, SecurityEvent::CodesRevealed, &meta, state.clock.now()).await?;
    Ok(codes.into_iter().map(|(code, used)| BackupCodeView { code, used }).collect())
}
