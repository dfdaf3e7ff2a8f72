//! What adding an authenticator (a security key, a passkey, the
//! authenticator app) asks for. Without 2FA: the password, given recently.
//! With 2FA: a current second factor as well, as every other 2FA change asks:
//! a code from the authenticator app (with the password), or a security key
//! confirmed in this session moments ago ("Confirm with your security key",
//! good for one change). A stolen session cookie alone never adds a factor
//! that would then sign in without the password.

use super::backup_codes::{reauthenticate, Reauthentication};
use super::enrollment::recent_password;
use super::{Authorized, Ctx, InSession, Tx};
use crate::error::AppResult;
use crate::server::refusals::Refused;
use crate::server::second_factor::{Accept, Challenge, Claim};
use crate::server::{credentials, sessions};

/// How long a key confirmation is good for.
pub const KEY_CONFIRMATION_SECS: i64 = 5 * 60;

/// What the person proved, not yet used.
pub(super) enum Proven {
    /// No 2FA on the account: the password rule alone (a challenge when it was given now).
    Password(Option<Challenge>),
    /// A code from the app, claimed in the change's transaction, with the password.
    Code(Challenge),
    /// A security key confirmed in this session (already used up).
    Key,
}

pub(super) async fn prove(
    cx: &Ctx<'_>,
    s: InSession<'_>,
    password: Option<String>,
    code: Option<String>,
) -> AppResult<Proven> {
    let (totp, keys) = credentials::factors(cx.db(), s.user.id).await?;
    if !totp && keys == 0 {
        return Ok(Proven::Password(recent_password(cx, s, password).await?));
    }
    match code.filter(|c| !c.trim().is_empty()) {
        Some(code) if totp => {
            let Some(password) = password.filter(|p| !p.is_empty()) else {
                return Err(Refused::PasswordNeededForEnrollment.into());
            };
            Ok(Proven::Code(reauthenticate(cx, s.user, Reauthentication { password, code }, Accept::Totp).await?))
        }
        _ if keys > 0
            && sessions::take_key_confirmation(cx.db(), s.session_hash, cx.now - KEY_CONFIRMATION_SECS).await? =>
        {
            Ok(Proven::Key)
        }
        _ if totp => Err(Refused::CodeNeededToAddFactor.into()),
        _ => Err(Refused::KeyConfirmationNeeded.into()),
    }
}

/// The change's transaction, in which a code is claimed.
pub(super) enum Change {
    Plain { tx: Tx, password: Option<Challenge> },
    Coded(Authorized),
}

impl Proven {
    pub(super) async fn begin(self, cx: &Ctx<'_>) -> AppResult<Change> {
        Ok(match self {
            Proven::Password(password) => Change::Plain { tx: cx.begin().await?, password },
            Proven::Key => Change::Plain { tx: cx.begin().await?, password: None },
            Proven::Code(challenge) => Change::Coded(cx.begin_with_code(challenge).await?),
        })
    }
}

impl Change {
    pub(super) fn tx(&mut self) -> &mut Tx {
        match self {
            Change::Plain { tx, .. } => tx,
            Change::Coded(authorized) => &mut authorized.tx,
        }
    }

    /// The password was given with this change (the session's "recently" starts again).
    pub(super) fn gave_password(&self) -> bool {
        matches!(self, Change::Plain { password: Some(_), .. } | Change::Coded(_))
    }

    pub(super) async fn commit(self, cx: &Ctx<'_>) -> AppResult<()> {
        match self {
            Change::Plain { tx, password } => {
                tx.commit().await?;
                if let Some(challenge) = password {
                    challenge.passed(cx.state, Claim::NotAsked).await?;
                }
                Ok(())
            }
            Change::Coded(authorized) => authorized.commit(cx).await,
        }
    }
}
