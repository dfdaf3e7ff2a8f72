use leptos::prelude::*;

use crate::error::AppError;

/// "Regenerate codes": password and a current code; the old set dies at once.
#[server(endpoint = "regenerate_codes")]
pub async fn regenerate_codes(password: String, code: String) -> Result<Vec<String>, AppError> {
    use crate::server::credentials;
    use crate::server::events::{self, SecurityEvent};
    use crate::server::request::{request_meta, require_user, state};
    use crate::server::second_factor::{self, Accept};
    use crate::twofactor::backup_codes;

    let user = require_user().await?;
    let state = state()?;
    let meta = request_meta();
    second_factor::require_enabled(&state, user.id).await?;
    second_factor::reauthenticate(&state, user.id, &user.email, password, Some((&code, Accept::Totp)), &meta).await?;
    let codes = backup_codes::generate();
    let mut tx = state.db.begin().await?;
    credentials::replace_backup_codes(&mut tx, &state.keys, user.id, &codes).await?;
    tx.commit().await?;
    events::record(&state.db, user.id, SecurityEvent::CodesRegenerated, &meta, state.clock.now()).await?;
    Ok(codes)
}
