//! "Confirm with your security key": a key's answer in this session, made
//! for the next protection change (adding an authenticator) on an account
//! whose second factors include keys. Counted on the account's second-factor
//! allowance like every other answer; the challenge is bound to the session
//! and used once.

use super::key_login::{check_answer, internal, options, refuse};
use super::{Ctx, InSession};
use crate::error::AppResult;
use crate::security_keys::KeyCeremony;
use crate::server::events::{self, SecurityEvent};
use crate::server::refusals::Refused;
use crate::server::sessions;
use crate::server::webauthn::ceremonies::{self, Kind};
use crate::server::webauthn::{keys, rp};

pub async fn start(cx: &Ctx<'_>, s: InSession<'_>) -> AppResult<KeyCeremony> {
    let rp = rp(cx.state)?;
    let stored = keys::passkeys(cx.db(), s.user.id).await?;
    if stored.is_empty() {
        return Err(Refused::NoSecurityKeys.into());
    }
    let passkeys: Vec<_> = stored.into_iter().map(|k| k.passkey).collect();
    let (challenge, state) = rp.webauthn.start_passkey_authentication(&passkeys).map_err(internal)?;
    let mut tx = cx.begin().await?;
    let id =
        ceremonies::create(&mut tx, Kind::Confirm, s.session_hash, (Some(s.user.id), None), &state, cx.now).await?;
    tx.commit().await?;
    options(challenge, id)
}

#[tracing::instrument(skip_all)]
pub async fn finish(cx: &Ctx<'_>, s: InSession<'_>, ceremony: &str, answer: &str) -> AppResult<()> {
    let (attempt, key, result) =
        check_answer(cx, s.user.id, (Kind::Confirm, s.session_hash), (ceremony, answer)).await?;
    let mut tx = cx.begin().await?;
    if !keys::record_use(&mut *tx, &key, &result, cx.now).await? {
        tx.rollback().await?;
        return Err(refuse(cx, attempt, None, Refused::KeyNotAccepted).await);
    }
    sessions::mark_key_confirmed(&mut *tx, s.session_hash, cx.now).await?;
    events::record(&mut *tx, s.user.id, SecurityEvent::SecurityKeyConfirmed, cx.meta, cx.now).await?;
    tx.commit().await?;
    attempt.passed(cx.state).await
}
