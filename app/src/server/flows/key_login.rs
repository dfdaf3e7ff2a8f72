//! Logging in with a security key: as the second step after the password
//! ("Use your security key"), or with a passkey alone ("Sign in with a
//! passkey", which verifies the user and so counts as both factors).
//!
//! Every answer is one attempt on the account's second-factor counter (a
//! malformed, replayed, expired or refused answer is a failure, logged), the
//! challenge is used once whatever happens, and the key's counter must move
//! forward: one that went backwards is refused and logged as a clone warning.

use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, DiscoverableKey, PasskeyAuthentication, PublicKeyCredential,
    WebauthnError,
};

use super::account::LoginDone;
use super::{Ctx, NewSession};
use crate::error::{AppError, AppResult};
use crate::factors::Proof;
use crate::model::User;
use crate::security_keys::KeyCeremony;
use crate::server::guards::second_factor::{self, KeyAttempt};
use crate::server::refusals::Refused;
use crate::server::store::events::SecurityEvent;
use crate::server::store::pending_logins::FirstStep;
use crate::server::store::sealed;
use crate::server::store::sessions::{self, token_hash};
use crate::server::store::webauthn::ceremonies::{self, Kind};
use crate::server::store::webauthn::keys;
use crate::server::webauthn::{rp, CEREMONY_SECS};
use crate::server::{store::pending_logins, store::users};

pub(super) fn options(value: impl serde::Serialize, id: String) -> AppResult<KeyCeremony> {
    let options = serde_json::to_value(value).map_err(|_| AppError::Internal)?;
    Ok(KeyCeremony { ceremony: id, options })
}

pub(super) fn internal(e: WebauthnError) -> AppError {
    tracing::error!(error = %e, "could not start a WebAuthn authentication");
    AppError::Internal
}

/// "Use your security key": a challenge for the keys of the pending login's account.
pub async fn start_second_step(cx: &Ctx<'_>, pending_token: &str) -> AppResult<KeyCeremony> {
    let rp = rp(cx.state)?;
    let user_id = pending_logins::user_for(cx.db(), pending_token, cx.now).await?.ok_or(Refused::SignedOut)?;
    let stored = keys::passkeys(cx.db(), user_id).await?;
    if stored.is_empty() {
        return Err(Refused::NoSecurityKeys.into());
    }
    let passkeys: Vec<_> = stored.into_iter().map(|k| k.passkey).collect();
    let (challenge, state) = rp.webauthn.start_passkey_authentication(&passkeys).map_err(internal)?;
    let mut work = cx.work().await?;
    let binding = token_hash(pending_token);
    let id = ceremonies::create(work.tx(), Kind::SecondFactor, &binding, (Some(user_id), None), &state, cx.now).await?;
    work.commit().await?;
    options(challenge, id)
}

/// A refused answer: counted, logged (a clone warning when the counter went
/// backwards), and answered with `refusal`.
pub(super) async fn refuse(
    cx: &Ctx<'_>,
    attempt: KeyAttempt,
    error: Option<&WebauthnError>,
    refusal: Refused,
) -> AppError {
    let event = match error {
        Some(WebauthnError::CredentialPossibleCompromise) => SecurityEvent::SecurityKeyCloneWarning,
        _ => SecurityEvent::SecurityKeyFailed,
    };
    if let Some(e) = error {
        tracing::info!(error = %e, "a security key's answer was refused");
    }
    attempt.failed(cx.state, cx.meta, event, refusal).await
}

/// A key's answer to a ceremony of `kind` bound to `binding`, checked for
/// `user_id`'s keys: one attempt on the account's allowance, counted and
/// logged when refused. The caller records the key's use and closes the attempt.
pub(super) async fn check_answer(
    cx: &Ctx<'_>,
    user_id: i64,
    (kind, binding): (Kind, &str),
    (ceremony, answer): (&str, &str),
) -> AppResult<(KeyAttempt, keys::Stored, AuthenticationResult)> {
    let rp = rp(cx.state)?;
    let attempt = second_factor::key_attempt(cx.state, user_id, cx.meta).await?;
    let claimed = ceremonies::claim(cx.db(), ceremony, kind, binding, cx.now).await?;
    let Some(claimed) = claimed.filter(|c| c.user_id == Some(user_id)) else {
        return Err(refuse(cx, attempt, None, Refused::KeyRequestGone).await);
    };
    let Ok(answer) = serde_json::from_str::<PublicKeyCredential>(answer) else {
        return Err(refuse(cx, attempt, None, Refused::KeyAnswerMalformed).await);
    };
    let state: PasskeyAuthentication = ceremonies::state_of(&claimed)?;
    let result = match rp.webauthn.finish_passkey_authentication(&answer, &state) {
        Ok(result) => result,
        Err(e) => return Err(refuse(cx, attempt, Some(&e), Refused::KeyNotAccepted).await),
    };
    let stored = keys::passkeys(cx.db(), user_id).await?;
    match stored.into_iter().find(|k| k.passkey.cred_id() == result.cred_id()) {
        Some(key) => Ok((attempt, key, result)),
        None => Err(refuse(cx, attempt, None, Refused::KeyNotAccepted).await),
    }
}

/// The key's answer at the second step: the ceremony, the pending login, the
/// key's new counter, the new session and the log rows commit together.
#[tracing::instrument(skip_all)]
pub async fn finish_second_step(
    cx: &Ctx<'_>,
    pending_token: &str,
    ceremony: &str,
    answer: &str,
) -> AppResult<LoginDone> {
    let user_id = pending_logins::user_for(cx.db(), pending_token, cx.now).await?.ok_or(Refused::SignedOut)?;
    let first = pending_logins::first_step(cx.db(), pending_token).await?;
    let binding = token_hash(pending_token);
    let (attempt, key, result) = check_answer(cx, user_id, (Kind::SecondFactor, &binding), (ceremony, answer)).await?;
    let mut work = cx.work_with_key(attempt).await?;
    if !keys::record_use(&mut **work.tx(), &key, &result, cx.now).await? {
        return Err(work.refuse_key(Refused::KeyNotAccepted).await);
    }
    if !pending_logins::consume(&mut **work.tx(), pending_token).await? {
        work.abandon().await?;
        return Err(Refused::SignedOut.into());
    }
    work.security(user_id, SecurityEvent::SecurityKeyUsed).await?;
    let proof = if first == FirstStep::Upstream { Proof::UpstreamMfa } else { Proof::PasswordAndKey };
    let token = work.signed_in(user_id, proof).await?;
    work.commit().await?;
    Ok(LoginDone { session: NewSession { token }, backup_codes_left: None })
}

/// "Sign in with a passkey": a challenge for any discoverable credential of
/// this site (the authenticator says whose). Anyone may ask for one, so
/// nothing is stored: the ceremony's state is sealed into its id, which is
/// used once when the answer comes. Limited per address.
pub async fn start_passkey(cx: &Ctx<'_>) -> AppResult<KeyCeremony> {
    let rp = rp(cx.state)?;
    cx.state.start_limiter.check(cx.meta.ip, cx.now)?;
    let (challenge, state) = rp.webauthn.start_discoverable_authentication().map_err(internal)?;
    let id = sealed::seal(&cx.state.keys, PASSKEY_PURPOSE, PASSKEY_PREFIX, &state, cx.now + CEREMONY_SECS)?;
    options(challenge, id)
}

const PASSKEY_PREFIX: &str = "pck_";
const PASSKEY_PURPOSE: &str = "webauthn-passkey-sign-in";

/// The passkey's answer: the account is the one whose user handle and
/// credential the answer names; user verification is required. Whatever
/// session the browser brought ends here; the new one says it began with a passkey.
#[tracing::instrument(skip_all)]
pub async fn finish_passkey(
    cx: &Ctx<'_>,
    previous_session: Option<&str>,
    ceremony: &str,
    answer: &str,
) -> AppResult<(User, NewSession)> {
    let rp = rp(cx.state)?;
    let (state, expires_at): (DiscoverableAuthentication, i64) =
        sealed::open(&cx.state.keys, PASSKEY_PURPOSE, PASSKEY_PREFIX, ceremony, cx.now)
            .ok_or(Refused::KeyRequestGone)?;
    // Used once, whatever the answer.
    if !sealed::use_once(cx.db(), &sealed::hash(ceremony), expires_at).await? {
        return Err(Refused::KeyRequestGone.into());
    }
    let answer: PublicKeyCredential = serde_json::from_str(answer).map_err(|_| Refused::KeyAnswerMalformed)?;
    // Nobody's key, as far as we know: no account to count the failure against.
    let (handle, raw_id) =
        rp.webauthn.identify_discoverable_authentication(&answer).map_err(|_| Refused::KeyNotAccepted)?;
    let key = keys::find_discoverable(cx.db(), raw_id, &handle.to_string()).await?.ok_or(Refused::KeyNotAccepted)?;
    let attempt = second_factor::key_attempt(cx.state, key.user_id, cx.meta).await?;
    let result =
        match rp.webauthn.finish_discoverable_authentication(&answer, state, &[DiscoverableKey::from(&key.passkey)]) {
            Ok(result) if result.user_verified() => result,
            Ok(_) => return Err(refuse(cx, attempt, None, Refused::KeyNotAccepted).await),
            Err(e) => return Err(refuse(cx, attempt, Some(&e), Refused::KeyNotAccepted).await),
        };
    let user = users::find_by_id(cx.db(), key.user_id).await?.ok_or(Refused::KeyNotAccepted)?;
    let mut work = cx.work_with_key(attempt).await?;
    if !keys::record_use(&mut **work.tx(), &key, &result, cx.now).await? {
        return Err(work.refuse_key(Refused::KeyNotAccepted).await);
    }
    if let Some(previous) = previous_session {
        sessions::delete(&mut **work.tx(), previous).await?;
    }
    work.security(user.id, SecurityEvent::SecurityKeyUsed).await?;
    let token = work.signed_in(user.id, Proof::Passkey).await?;
    work.commit().await?;
    Ok((user, NewSession { token }))
}
