use leptos::prelude::*;

use crate::error::AppError;
use crate::model::TwoFactorStatus;

#[server(endpoint = "two_factor_status")]
pub async fn get_two_factor_status() -> Result<TwoFactorStatus, AppError> {
    use crate::server::gate::request::{require_user, state};
    use crate::server::store::credentials;
    use crate::twofactor::backup_codes;

    let user = require_user().await?;
    let state = state()?;
    let credential = credentials::load(&state.db, &state.keys, user.id).await?;
    let held = credentials::held(&state.db, user.id).await?;
    Ok(TwoFactorStatus {
        enabled: held.any(),
        authenticator_app: credential.is_some(),
        security_keys: held.security_keys.max(0) as u32,
        enabled_at: credential.map(|c| c.enabled_at),
        codes_left: credentials::codes_left(&state.db, user.id).await?,
        codes_total: backup_codes::COUNT as u32,
        sms: crate::server::store::sms::phone(&state.db, &state.keys, user.id).await?.map(|p| p.masked()),
        sms_offered: state.settings.sms.is_some(),
        preferred: crate::server::store::users::preferred_factor(&state.db, user.id).await?.map(|k| k.as_str().into()),
    })
}
