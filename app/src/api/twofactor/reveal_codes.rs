use leptos::prelude::*;

use crate::error::AppError;
use crate::model::BackupCodeView;

/// "Reveal codes": the password first; used codes come back marked as used.
#[server(endpoint = "reveal_codes")]
pub async fn reveal_codes(password: String) -> Result<Vec<BackupCodeView>, AppError> {
    use crate::server::events::{self, SecurityEvent};
    use crate::server::request::{request_meta, require_user, state};
    use crate::server::{credentials, second_factor};

    let user = require_user().await?;
    let state = state()?;
    let meta = request_meta();
    second_factor::require_enabled(&state, user.id).await?;
    second_factor::reauthenticate(&state, user.id, &user.email, password, None, &meta).await?;
    let codes = credentials::backup_codes(&state.db, &state.keys, user.id).await?;
    events::record(&state.db, user.id, SecurityEvent::CodesRevealed, &meta, state.clock.now()).await?;
    Ok(codes.into_iter().map(|(code, used)| BackupCodeView { code, used }).collect())
}
