//! "Confirm with your security key": a key's answer in this session, made
//! for the next protection change (adding an authenticator) on an account
//! whose second factors include keys. Counted on the account's second-factor
//! allowance like every other answer; the challenge is bound to the session
//! and used once.

use super::key_login::{check_answer, internal, options};
use super::{Ctx, InSession};
use crate::error::AppResult;
use crate::security_keys::KeyCeremony;
use crate::server::refusals::Refused;
use crate::server::store::events::SecurityEvent;
use crate::server::store::sessions;
use crate::server::store::webauthn::ceremonies::{self, Kind};
use crate::server::store::webauthn::keys;
use crate::server::webauthn::rp;

pub async fn start(cx: &Ctx<'_>, s: InSession<'_>) -> AppResult<KeyCeremony> {
    let rp = rp(cx.state)?;
    let stored = keys::passkeys(cx.db(), s.user.id).await?;
    if stored.is_empty() {
        return Err(Refused::NoSecurityKeys.into());
    }
    let passkeys: Vec<_> = stored.into_iter().map(|k| k.passkey).collect();
    let (challenge, state) = rp.webauthn.start_passkey_authentication(&passkeys).map_err(internal)?;
    let mut work = cx.work().await?;
    let id =
        ceremonies::create(work.tx(), Kind::Confirm, s.session_hash, (Some(s.user.id), None), &state, cx.now).await?;
    work.commit().await?;
    options(challenge, id)
}

#[tracing::instrument(skip_all)]
pub async fn finish(cx: &Ctx<'_>, s: InSession<'_>, ceremony: &str, answer: &str) -> AppResult<()> {
    let (attempt, key, result) =
        check_answer(cx, s.user.id, (Kind::Confirm, s.session_hash), (ceremony, answer)).await?;
    let mut work = cx.work_with_key(attempt).await?;
    if !keys::record_use(&mut **work.tx(), &key, &result, cx.now).await? {
        return Err(work.refuse_key(Refused::KeyNotAccepted).await);
    }
    sessions::mark_key_confirmed(&mut **work.tx(), s.session_hash, cx.now).await?;
    work.security(s.user.id, SecurityEvent::SecurityKeyConfirmed).await?;
    work.commit().await
}
