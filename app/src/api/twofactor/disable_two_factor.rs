use leptos::prelude::*;

use crate::error::AppError;

/// "Disable 2FA": password and a current code or a backup code.
#[server(endpoint = "disable_two_factor")]
pub async fn disable_two_factor(password: String, code: String) -> Result<(), AppError> {
    use crate::server::events::{self, SecurityEvent};
    use crate::server::request::{request_meta, require_user, state};
    use crate::server::second_factor::{self, Accept};
    use crate::server::credentials;

    let user = require_user().await?;
    let state = state()?;
    let meta = request_meta();
    second_factor::require_enabled(&state, user.id).await?;
    second_factor::may_disable(&state, user.id).await?;
    second_factor::reauthenticate(&state, user.id, &user.email, password, Some((&code, Accept::Either)), &meta).await?;
    credentials::disable(&state.db, user.id).await?;
    events::record(&state.db, user.id, SecurityEvent::TwoFactorDisabled, &meta, state.clock.now()).await?;
    Ok(())
}
