//! Proving it is the account's owner before a change to its protection,
//! with whichever second factor the account holds: the password and a code
//! from the authenticator app (or, where a use case allows, a backup code),
//! or a security key confirmed in this session moments ago ("Confirm with
//! your security key", good for one change, used up in the change's own
//! transaction). Without 2FA, adding a first factor asks the password rule
//! alone. A stolen session cookie never changes an account's protection.

use super::{Ctx, InOrg, InSession};
use crate::error::AppResult;
use crate::factors::Kind;
use crate::model::User;
use crate::policy;
use crate::server::guards::second_factor::{self, Accept, Challenge};
use crate::server::refusals::Refused;
use crate::server::{store::credentials, store::sessions};

/// The password and a code, as one attempt on the account's counter; both
/// empty, with a security key on the account: the key confirmation instead.
pub struct Reauthentication {
    pub password: String,
    pub code: String,
}

/// What the person proved, not yet used (`Ctx::work_proven` uses it).
pub enum Proven {
    /// The password rule alone (a challenge when the password was given now).
    Password(Option<Challenge>),
    /// A code, claimed in the change's transaction, with the password.
    Code(Challenge),
    /// A security key confirmed in this session, used up in the change's
    /// transaction; `otherwise`: the refusal when there is no confirmation.
    Key { session_hash: String, otherwise: Refused },
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

/// Before a change to an account with 2FA: a code the account can give
/// (`accept`), or, with no code typed, a key confirmed in this session
/// when the account holds keys.
pub(super) async fn second_factor(
    cx: &Ctx<'_>,
    s: InSession<'_>,
    input: Reauthentication,
    accept: Accept,
) -> AppResult<Proven> {
    let held = credentials::held(cx.db(), s.user.id).await?;
    if input.code.trim().is_empty() && held.has(Kind::SecurityKey) {
        // An account with the app too is asked for its code, as before keys could confirm.
        let otherwise =
            if held.has(Kind::App) { Refused::MalformedCode(accept) } else { Refused::KeyConfirmationNeeded };
        return Ok(Proven::Key { session_hash: s.session_hash.to_string(), otherwise });
    }
    Ok(Proven::Code(reauthenticate(cx, s.user, input, accept).await?))
}

/// The password always; with 2FA on, a current code with it, or a security
/// key confirmed just before (then the password may stay empty). `to`
/// finishes "Enter your password …" when it is missing.
pub(super) async fn password_and_second_factor(
    cx: &Ctx<'_>,
    s: InSession<'_>,
    input: Reauthentication,
    to: &'static str,
) -> AppResult<Proven> {
    let held = credentials::held(cx.db(), s.user.id).await?;
    if input.password.is_empty() && !held.has(Kind::SecurityKey) {
        return Err(Refused::PasswordNeededTo(to).into());
    }
    crate::validate::password_length(&input.password)?;
    if held.any() {
        // Texted codes open logins only: an account with SMS as its only code confirms with a backup code.
        let accept = if held.has(Kind::Sms) && !held.has(Kind::App) { Accept::BackupCode } else { Accept::Totp };
        return second_factor(cx, s, input, accept).await;
    }
    let challenge = second_factor::challenge(cx.state, s.user.id, None, cx.meta).await?;
    Ok(Proven::Password(Some(challenge.password(cx.state, &s.user.email, input.password, cx.meta).await?)))
}

/// The same, for a member acting in an organization: through their session
/// (where a key confirmation counts), or, without one (REST), with the
/// password and a code.
pub(super) async fn as_member(
    cx: &Ctx<'_>,
    m: InOrg<'_>,
    input: Reauthentication,
    accept: Accept,
) -> AppResult<Proven> {
    match m.session_hash {
        Some(session_hash) => second_factor(cx, InSession { user: m.user, session_hash }, input, accept).await,
        None => Ok(Proven::Code(reauthenticate(cx, m.user, input, accept).await?)),
    }
}

/// Before adding an authenticator. Without 2FA: the password, given
/// recently. With 2FA: a current second factor as well (an app code with
/// the password, or a key confirmation), so that a stolen session cookie
/// never adds a factor that would then sign in without the password.
pub(super) async fn adding_a_factor(
    cx: &Ctx<'_>,
    s: InSession<'_>,
    password: Option<String>,
    code: Option<String>,
) -> AppResult<Proven> {
    let held = credentials::held(cx.db(), s.user.id).await?;
    if !held.any() {
        return Ok(Proven::Password(recent_password(cx, s, password).await?));
    }
    match code.filter(|c| !c.trim().is_empty()) {
        Some(code) if held.has(Kind::App) || held.has(Kind::Sms) => {
            let Some(password) = password.filter(|p| !p.is_empty()) else {
                return Err(Refused::PasswordNeededForEnrollment.into());
            };
            // Texted codes open logins only: an account with SMS alone confirms with a backup code.
            let accept = if held.has(Kind::App) { Accept::Totp } else { Accept::BackupCode };
            Ok(Proven::Code(reauthenticate(cx, s.user, Reauthentication { password, code }, accept).await?))
        }
        _ if held.has(Kind::SecurityKey) => {
            let otherwise =
                if held.has(Kind::App) { Refused::CodeNeededToAddFactor } else { Refused::KeyConfirmationNeeded };
            Ok(Proven::Key { session_hash: s.session_hash.to_string(), otherwise })
        }
        _ if !held.has(Kind::App) => Err(Refused::BackupCodeNeededToAddFactor.into()),
        _ => Err(Refused::CodeNeededToAddFactor.into()),
    }
}

/// A session whose password was given within the last minutes goes on; an
/// older one gives it again (`password`), as one attempt on the account's
/// counter, which the unit of work closes after its change commits.
async fn recent_password(cx: &Ctx<'_>, s: InSession<'_>, password: Option<String>) -> AppResult<Option<Challenge>> {
    let state = cx.state;
    match password {
        Some(password) => Ok(Some(
            second_factor::challenge(state, s.user.id, None, cx.meta)
                .await?
                .password(state, &s.user.email, password, cx.meta)
                .await?,
        )),
        None => {
            let authenticated_at =
                sessions::password_given_at(cx.db(), s.session_hash).await?.ok_or(Refused::SignedOut)?;
            if policy::must_reauthenticate(authenticated_at, cx.now) {
                return Err(Refused::PasswordNeededForEnrollment.into());
            }
            Ok(None)
        }
    }
}
