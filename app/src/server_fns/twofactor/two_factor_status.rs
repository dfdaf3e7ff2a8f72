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
    // "Enabled since" and the counts come from one query; no secret is opened for them.
    let factors = credentials::overview(&state.db, user.id).await?;
    // The number is shown masked, so it is opened only when there is one.
    let sms = if factors.held.has(crate::factors::Kind::Sms) {
        crate::server::store::sms::phone(&state.db, &state.keys, user.id).await?.map(|p| p.masked())
    } else {
        None
    };
    Ok(TwoFactorStatus {
        enabled: factors.held.any(),
        authenticator_app: factors.app_enabled_at.is_some(),
        security_keys: factors.held.security_keys.max(0) as u32,
        enabled_at: factors.app_enabled_at,
        codes_left: factors.codes_left,
        codes_total: backup_codes::COUNT as u32,
        sms,
        sms_offered: state.settings.sms.is_some(),
        preferred: factors.preferred.map(|k| k.as_str().into()),
    })
}
