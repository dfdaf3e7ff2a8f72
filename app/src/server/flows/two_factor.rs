//! Turning one's own 2FA off.

use super::reauthentication::{second_factor, Reauthentication};
use super::{Ctx, InSession, NewSession};
use crate::error::AppResult;
use crate::policy;
use crate::server::guards::second_factor::{require_enabled, Accept};
use crate::server::store::events::SecurityEvent;
use crate::server::store::outbox::{Message, MessageKind};
use crate::server::{store::credentials, store::orgs, store::sessions};

/// "Disable 2FA": the password and a current code or a backup code, or a
/// security key confirmed just before. Refused while an organization of the
/// user requires 2FA. The account's other sessions end, and this one gets a
/// fresh id, in the same commit; the owner is told by message.
// `skip_all`: codes and the password never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn disable(cx: &Ctx<'_>, s: InSession<'_>, input: Reauthentication) -> AppResult<NewSession> {
    require_enabled(cx.state, s.user.id).await?;
    policy::may_disable_two_factor(orgs::requiring_two_factor(cx.db(), s.user.id).await?)?;
    let proven = second_factor(cx, s, input, Accept::Either).await?;
    let mut work = cx.work_proven(proven).await?;
    credentials::disable_in(work.tx(), s.user.id).await?;
    let token = sessions::replace_all_for_user(work.tx(), s.user.id, s.session_hash, cx.now).await?;
    crate::server::store::browsers::forget_all(&mut **work.tx(), s.user.id).await?;
    work.security(s.user.id, SecurityEvent::TwoFactorDisabled).await?;
    work.send(Message::to(s.user.id, MessageKind::TwoFactorTurnedOff)).await?;
    work.commit().await?;
    Ok(NewSession { token })
}
