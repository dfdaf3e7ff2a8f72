//! "Security keys and passkeys" on the Account page: adding a key (the
//! registration ceremony; the first key turns 2FA on with fresh backup
//! codes), renaming and removing one. Each change commits with its
//! security-log row.

use webauthn_rs::prelude::{PasskeyRegistration, RegisterPublicKeyCredential};

use super::reauthentication::{self, Reauthentication};
use super::{Ctx, InSession, NewSession};
use crate::error::AppResult;
use crate::policy;
use crate::security_keys::{validate_name, KeyCeremony, SecurityKey};
use crate::server::guards::second_factor::Accept;
use crate::server::refusals::Refused;
use crate::server::store::events::SecurityEvent;
use crate::server::store::outbox::{Message, MessageKind};
use crate::server::store::webauthn::ceremonies::{self, Kind};
use crate::server::store::webauthn::keys;
use crate::server::webauthn::{rp, user_handle};
use crate::server::words::notices::Notice;
use crate::server::{store::credentials, store::orgs, store::sessions, store::users};
use crate::twofactor::backup_codes;

/// "Add a security key": the registration's options for the browser. A
/// session whose password is older than a few minutes gives it again, as
/// for the authenticator app; an account with 2FA also proves a current
/// second factor (`reauthentication::adding_a_factor`). User verification is required
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
    let proven = reauthentication::adding_a_factor(cx, s, password, code).await?;
    let mut work = cx.work_proven(proven).await?;
    let tx = work.tx();
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
    if work.gave_password() {
        sessions::mark_authenticated(&mut **work.tx(), s.session_hash, cx.now).await?;
    }
    work.commit().await?;
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
    let mut work = cx.work().await?;
    let was_on = credentials::is_enabled(&mut **work.tx(), s.user.id).await?;
    let key =
        keys::insert(work.tx(), s.user.id, &name, &passkey, cx.now).await?.ok_or(Refused::KeyAlreadyRegistered)?;
    work.security(s.user.id, SecurityEvent::SecurityKeyAdded).await?;
    let codes = if was_on {
        work.send(Message::to(s.user.id, MessageKind::SecurityKeyAdded).with("name", name.as_str())).await?;
        // A new way in to an account already protected: its owner hears of it on every browser.
        let notice = Notice::SecurityKeyAdded { name: name.clone(), at: cx.now };
        users::set_notice(&mut **work.tx(), s.user.id, &notice.stored()).await?;
        Vec::new()
    } else {
        let codes = backup_codes::generate();
        credentials::replace_backup_codes(work.tx(), &cx.state.keys, s.user.id, &codes).await?;
        work.security(s.user.id, SecurityEvent::TwoFactorEnabled).await?;
        work.send(Message::to(s.user.id, MessageKind::TwoFactorTurnedOn)).await?;
        codes
    };
    // The account's other sessions end: whoever holds one did not add this key.
    let token = sessions::replace_all_for_user(work.tx(), s.user.id, s.session_hash, cx.now).await?;
    let session = Some(NewSession { token });
    work.commit().await?;
    Ok(KeyAdded { key, backup_codes: codes, session })
}

pub async fn list(cx: &Ctx<'_>, user_id: i64) -> AppResult<Vec<SecurityKey>> {
    keys::list(cx.db(), user_id).await
}

/// "Rename": the key's name only.
pub async fn rename(cx: &Ctx<'_>, s: InSession<'_>, id: i64, name: &str) -> AppResult<()> {
    let name = validate_name(name)?;
    let mut work = cx.work().await?;
    if !keys::rename(&mut **work.tx(), s.user.id, id, &name).await? {
        return Err(Refused::KeyNotFound.into());
    }
    work.security(s.user.id, SecurityEvent::SecurityKeyRenamed).await?;
    work.commit().await
}

/// "Remove": the password and a code from the app or a backup code, as
/// "Disable 2FA". The account's last second factor cannot go while an
/// organization requires 2FA; when it goes, 2FA is off (backup codes and the
/// other sessions end, this one gets a fresh id), in the same commit.
// `skip_all`: codes and the password never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn remove(cx: &Ctx<'_>, s: InSession<'_>, id: i64, input: Reauthentication) -> AppResult<Option<NewSession>> {
    let proven = reauthentication::second_factor(cx, s, input, Accept::Either).await?;
    let mut work = cx.work_proven(proven).await?;
    let Some(name) = keys::delete(&mut **work.tx(), s.user.id, id).await? else {
        work.abandon().await?;
        return Err(Refused::KeyNotFound.into());
    };
    // Decided inside the transaction, on what is left: two removals at once cannot both pass.
    let held = credentials::held(&mut **work.tx(), s.user.id).await?;
    let left = held.security_keys + i64::from(held.has(crate::factors::Kind::App));
    let requiring = orgs::requiring_two_factor(&mut **work.tx(), s.user.id).await?;
    if let Err(refusal) = policy::may_remove_second_factor(left, requiring) {
        work.abandon().await?;
        return Err(Refused::from(refusal).into());
    }
    work.security(s.user.id, SecurityEvent::SecurityKeyRemoved).await?;
    work.send(Message::to(s.user.id, MessageKind::SecurityKeyRemoved).with("name", name)).await?;
    let session = if left == 0 {
        credentials::disable_in(work.tx(), s.user.id).await?;
        let token = sessions::replace_all_for_user(work.tx(), s.user.id, s.session_hash, cx.now).await?;
        crate::server::store::browsers::forget_all(&mut **work.tx(), s.user.id).await?;
        work.security(s.user.id, SecurityEvent::TwoFactorDisabled).await?;
        work.send(Message::to(s.user.id, MessageKind::TwoFactorTurnedOff)).await?;
        Some(NewSession { token })
    } else {
        None
    };
    work.commit().await?;
    Ok(session)
}
