//! Reading and replacing the backup codes, each after the password and a
//! current code from the authenticator app.

use super::Ctx;
use crate::error::AppResult;
use crate::model::{BackupCodeView, User};
use crate::server::credentials;
use crate::server::events::{self, SecurityEvent};
use crate::server::refusals::Refused;
use crate::server::second_factor::{self, Accept, Challenge};
use crate::twofactor::{backup_codes, totp};

/// The password and the app's code, as one attempt on the account's counter.
pub struct Reauthentication {
    pub password: String,
    pub code: String,
}

/// Takes the attempt and checks the password; the code is claimed later, in the use case's transaction.
pub(super) async fn reauthenticate(
    cx: &Ctx<'_>,
    user: &User,
    input: Reauthentication,
    accept: Accept,
) -> AppResult<Challenge> {
    let state = cx.state;
    // An overlong password is refused before anything else, as at login.
    crate::validate::password_length(&input.password)?;
    second_factor::challenge(state, user.id, Some((&input.code, accept)), cx.meta)
        .await?
        .password(state, &user.email, input.password, cx.meta)
        .await
}

/// "Reveal codes". Never with a backup code: a session holding one revealed
/// code could otherwise reveal the rest and turn 2FA off. Used codes come back marked.
// `skip_all`: codes and the password never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn reveal(cx: &Ctx<'_>, user: &User, input: Reauthentication) -> AppResult<Vec<BackupCodeView>> {
    let state = cx.state;
    second_factor::require_enabled(state, user.id).await?;
    if totp::normalize_code(&input.code).is_none() && backup_codes::normalize(&input.code).is_some() {
        return Err(Refused::BackupCodeCannotReveal.into());
    }
    let challenge = reauthenticate(cx, user, input, Accept::Totp).await?;
    let mut authorized = cx.begin_with_code(challenge).await?;
    let codes = credentials::backup_codes(&mut *authorized.tx, &state.keys, user.id).await?;
    events::record(&mut *authorized.tx, user.id, SecurityEvent::CodesRevealed, cx.meta, cx.now).await?;
    authorized.commit(cx).await?;
    Ok(codes.into_iter().map(|(code, used)| BackupCodeView { code, used }).collect())
}

/// "Regenerate codes": the old set dies with the commit that logs the new one.
// `skip_all`: codes and the password never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn regenerate(cx: &Ctx<'_>, user: &User, input: Reauthentication) -> AppResult<Vec<String>> {
    let state = cx.state;
    second_factor::require_enabled(state, user.id).await?;
    let challenge = reauthenticate(cx, user, input, Accept::Totp).await?;
    let codes = backup_codes::generate();
    let mut authorized = cx.begin_with_code(challenge).await?;
    credentials::replace_backup_codes(&mut authorized.tx, &state.keys, user.id, &codes).await?;
    events::record(&mut *authorized.tx, user.id, SecurityEvent::CodesRegenerated, cx.meta, cx.now).await?;
    authorized.commit(cx).await?;
    Ok(codes)
}
