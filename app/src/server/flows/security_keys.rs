//! "Security keys and passkeys" on the Account page: adding a key (the
//! registration ceremony; the first key turns 2FA on with fresh backup
//! codes), renaming and removing one. Each change commits with its
//! security-log row.

use webauthn_rs::prelude::{PasskeyRegistration, RegisterPublicKeyCredential};

use super::adding_a_factor;
use super::backup_codes::{reauthenticate, Reauthentication};
use super::{Ctx, InSession, NewSession};
use crate::error::AppResult;
use crate::policy;
use crate::security_keys::{validate_name, KeyCeremony, SecurityKey};
use crate::server::events::{self, SecurityEvent};
use crate::server::refusals::Refused;
use crate::server::second_factor::Accept;
use crate::server::webauthn::ceremonies::{self, Kind};
use crate::server::webauthn::{keys, rp, user_handle};
use crate::server::{credentials, orgs, sessions, users, wording};
use crate::twofactor::backup_codes;

/// "Add a security key": the registration's options for the browser. A
/// session whose password is older than a few minutes gives it again, as
/// for the authenticator app; an account with 2FA also proves a current
/// second factor (`adding_a_factor`). User verification is required
/// (webauthn-rs's passkeys), and the key is asked to be discoverable when it
/// can, so that it can sign in alone.
// `skip_all`: the password and code never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn start_registration(
    cx: &Ctx<'_>,
    s: InSession<'_>,
    name: &str,
    (password, code): (Option<String>, Option<String>),
) -> AppResult<KeyCeremony> {
    let rp = rp(cx.state)?;
    let name = validate_name(name)?;
    let mut change = adding_a_factor::prove(cx, s, password, code).await?.begin(cx).await?;
    let tx = change.tx();
    let handle = user_handle(tx, s.user.id).await?;
    let registered = keys::passkeys(&mut **tx, s.user.id).await?;
    let exclude = registered.iter().map(|k| k.passkey.cred_id().clone()).collect();
    let (options, state) =
        rp.webauthn.start_passkey_registration(handle, &s.user.email, &s.user.name, Some(exclude)).map_err(|e| {
            tracing::error!(error = %e, "could not start a WebAuthn registration");
            crate::error::AppError::Internal
        })?;
    let id =
        ceremonies::create(tx, Kind::Register, s.session_hash, (Some(s.user.id), Some(&name)), &state, cx.now).await?;
    if change.gave_password() {
        sessions::mark_authenticated(&mut **change.tx(), s.session_hash, cx.now).await?;
    }
    change.commit(cx).await?;
    let mut options = serde_json::to_value(options).map_err(|_| crate::error::AppError::Internal)?;
    // A discoverable credential when the authenticator can make one: it then signs in alone.
    if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection").and_then(|v| v.as_object_mut()) {
        selection.insert("residentKey".into(), "preferred".into());
        selection.insert("requireResidentKey".into(), false.into());
    }
    Ok(KeyCeremony { ceremony: id, options })
}

/// What adding a key did.
pub struct KeyAdded {
    pub key: SecurityKey,
    /// The first key turned 2FA on: the new backup codes, shown once now.
    pub backup_codes: Vec<String>,
    /// This session's fresh id (the account's other sessions ended).
    pub session: Option<NewSession>,
}

/// The browser's answer to the registration. Checked by webauthn-rs against
/// the ceremony (challenge, origin, relying party, user verification); the
/// key, and when 2FA was off the backup codes and the sessions' change, commit
/// with their log rows.
#[tracing::instrument(skip_all)]
pub async fn finish_registration(cx: &Ctx<'_>, s: InSession<'_>, ceremony: &str, answer: &str) -> AppResult<KeyAdded> {
    let rp = rp(cx.state)?;
    let claimed = ceremonies::claim(cx.db(), ceremony, Kind::Register, s.session_hash, cx.now)
        .await?
        .filter(|c| c.user_id == Some(s.user.id))
        .ok_or(Refused::KeyRequestGone)?;
    let answer: RegisterPublicKeyCredential = serde_json::from_str(answer).map_err(|_| Refused::KeyAnswerMalformed)?;
    let state: PasskeyRegistration = ceremonies::state_of(&claimed)?;
    let passkey = rp.webauthn.finish_passkey_registration(&answer, &state).map_err(|e| {
        tracing::info!(error = %e, "a security key registration was refused");
        Refused::KeyNotAccepted
    })?;
    let name = claimed.key_name.unwrap_or_default();
    let mut tx = cx.begin().await?;
    let was_on = credentials::is_enabled(&mut *tx, s.user.id).await?;
    let key = keys::insert(&mut tx, s.user.id, &name, &passkey, cx.now).await?.ok_or(Refused::KeyAlreadyRegistered)?;
    events::record(&mut *tx, s.user.id, SecurityEvent::SecurityKeyAdded, cx.meta, cx.now).await?;
    let codes = if was_on {
        // A new way in to an account already protected: its owner hears of it on every browser.
        users::set_notice(&mut *tx, s.user.id, &wording::security_key_added(&name, cx.now)).await?;
        Vec::new()
    } else {
        let codes = backup_codes::generate();
        credentials::replace_backup_codes(&mut tx, &cx.state.keys, s.user.id, &codes).await?;
        events::record(&mut *tx, s.user.id, SecurityEvent::TwoFactorEnabled, cx.meta, cx.now).await?;
        codes
    };
    // The account's other sessions end: whoever holds one did not add this key.
    let token = sessions::replace_all_for_user(&mut tx, s.user.id, s.session_hash, cx.now).await?;
    let session = Some(NewSession { token });
    tx.commit().await?;
    Ok(KeyAdded { key, backup_codes: codes, session })
}

pub async fn list(cx: &Ctx<'_>, user_id: i64) -> AppResult<Vec<SecurityKey>> {
    keys::list(cx.db(), user_id).await
}

/// "Rename": the key's name only.
pub async fn rename(cx: &Ctx<'_>, s: InSession<'_>, id: i64, name: &str) -> AppResult<()> {
    let name = validate_name(name)?;
    let mut tx = cx.begin().await?;
    if !keys::rename(&mut *tx, s.user.id, id, &name).await? {
        return Err(Refused::KeyNotFound.into());
    }
    events::record(&mut *tx, s.user.id, SecurityEvent::SecurityKeyRenamed, cx.meta, cx.now).await?;
    tx.commit().await?;
    Ok(())
}

/// "Remove": the password and a code from the app or a backup code, as
/// "Disable 2FA". The account's last second factor cannot go while an
/// organization requires 2FA; when it goes, 2FA is off (backup codes and the
/// other sessions end, this one gets a fresh id), in the same commit.
// `skip_all`: codes and the password never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn remove(cx: &Ctx<'_>, s: InSession<'_>, id: i64, input: Reauthentication) -> AppResult<Option<NewSession>> {
    let challenge = reauthenticate(cx, s.user, input, Accept::Either).await?;
    let mut authorized = cx.begin_with_code(challenge).await?;
    let tx = &mut authorized.tx;
    if !keys::delete(&mut **tx, s.user.id, id).await? {
        authorized.abandon(cx).await?;
        return Err(Refused::KeyNotFound.into());
    }
    // Decided inside the transaction, on what is left: two removals at once cannot both pass.
    let (totp, keys_left) = credentials::factors(&mut **tx, s.user.id).await?;
    let left = keys_left + i64::from(totp);
    if let Err(refusal) =
        policy::may_remove_second_factor(left, orgs::requiring_two_factor(&mut **tx, s.user.id).await?)
    {
        authorized.abandon(cx).await?;
        return Err(Refused::from(refusal).into());
    }
    events::record(&mut **tx, s.user.id, SecurityEvent::SecurityKeyRemoved, cx.meta, cx.now).await?;
    let session = if left == 0 {
        credentials::disable_in(tx, s.user.id).await?;
        let token = sessions::replace_all_for_user(tx, s.user.id, s.session_hash, cx.now).await?;
        events::record(&mut **tx, s.user.id, SecurityEvent::TwoFactorDisabled, cx.meta, cx.now).await?;
        Some(NewSession { token })
    } else {
        None
    };
    authorized.commit(cx).await?;
    Ok(session)
}
