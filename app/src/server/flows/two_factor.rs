//! Turning one's own 2FA off.

use super::backup_codes::{reauthenticate, Reauthentication};
use super::{Ctx, InSession, NewSession};
use crate::error::AppResult;
use crate::policy;
use crate::server::events::{self, SecurityEvent};
use crate::server::second_factor::{self, Accept};
use crate::server::{credentials, orgs, sessions};

/// "Disable 2FA": the password and a current code or a backup code. Refused
/// while an organization of the user requires 2FA. The account's other
/// sessions end, and this one gets a fresh id, in the same commit.
// `skip_all`: codes and the password never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn disable(cx: &Ctx<'_>, s: InSession<'_>, input: Reauthentication) -> AppResult<NewSession> {
    let state = cx.state;
    second_factor::require_enabled(state, s.user.id).await?;
    policy::may_disable_two_factor(orgs::requiring_two_factor(cx.db(), s.user.id).await?)?;
    let challenge = reauthenticate(cx, s.user, input, Accept::Either).await?;
    let mut authorized = cx.begin_with_code(challenge).await?;
    let tx = &mut authorized.tx;
    credentials::disable_in(tx, s.user.id).await?;
    let token = sessions::replace_all_for_user(tx, s.user.id, s.session_hash, cx.now).await?;
    events::record(&mut **tx, s.user.id, SecurityEvent::TwoFactorDisabled, cx.meta, cx.now).await?;
    authorized.commit(cx).await?;
    Ok(NewSession { token })
}
