use leptos::prelude::*;

use crate::error::AppError;
use crate::model::TwoFactorStatus;

#[server(endpoint = "two_factor_status")]
pub async fn get_two_factor_status() -> Result<TwoFactorStatus, AppError> {
    use crate::server::credentials;
    use crate::server::request::{require_user, state};
    use crate::twofactor::backup_codes;

    let user = require_user().await?;
    let state = state()?;
    let credential = credentials::load(&state.db, &state.keys, user.id).await?;
    let (_, keys) = credentials::factors(&state.db, user.id).await?;
    Ok(TwoFactorStatus {
        enabled: credential.is_some() || keys > 0,
        authenticator_app: credential.is_some(),
        security_keys: keys.max(0) as u32,
        enabled_at: credential.map(|c| c.enabled_at),
        codes_left: credentials::codes_left(&state.db, user.id).await?,
        codes_total: backup_codes::COUNT as u32,
    })
}
