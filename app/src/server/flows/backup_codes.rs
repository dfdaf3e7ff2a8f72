//! Reading and replacing the backup codes, each after the password and a
//! current code from the authenticator app, or a security key confirmed in
//! this session (`reauthentication::second_factor`).

use super::reauthentication::second_factor;
pub use super::reauthentication::Reauthentication;
use super::{Ctx, InSession};
use crate::error::AppResult;
use crate::model::BackupCodeView;
use crate::server::guards::second_factor::{require_enabled, Accept};
use crate::server::refusals::Refused;
use crate::server::store::credentials;
use crate::server::store::events::SecurityEvent;
use crate::server::store::outbox::{Message, MessageKind};
use crate::twofactor::{backup_codes, totp};

/// "Reveal codes". Never with a backup code: a session holding one revealed
/// code could otherwise reveal the rest and turn 2FA off. Used codes come back marked.
// `skip_all`: codes and the password never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn reveal(cx: &Ctx<'_>, s: InSession<'_>, input: Reauthentication) -> AppResult<Vec<BackupCodeView>> {
    require_enabled(cx.state, s.user.id).await?;
    if totp::normalize_code(&input.code).is_none() && backup_codes::normalize(&input.code).is_some() {
        return Err(Refused::BackupCodeCannotReveal.into());
    }
    let proven = second_factor(cx, s, input, Accept::Totp).await?;
    let mut work = cx.work_proven(proven).await?;
    let codes = credentials::backup_codes(&mut **work.tx(), &cx.state.keys, s.user.id).await?;
    work.security(s.user.id, SecurityEvent::CodesRevealed).await?;
    work.commit().await?;
    Ok(codes.into_iter().map(|(code, used)| BackupCodeView { code, used }).collect())
}

/// "Regenerate codes": the old set dies with the commit that logs the new one.
// `skip_all`: codes and the password never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn regenerate(cx: &Ctx<'_>, s: InSession<'_>, input: Reauthentication) -> AppResult<Vec<String>> {
    require_enabled(cx.state, s.user.id).await?;
    let proven = second_factor(cx, s, input, Accept::Totp).await?;
    let codes = backup_codes::generate();
    let mut work = cx.work_proven(proven).await?;
    credentials::replace_backup_codes(work.tx(), &cx.state.keys, s.user.id, &codes).await?;
    work.security(s.user.id, SecurityEvent::CodesRegenerated).await?;
    work.send(Message::to(s.user.id, MessageKind::BackupCodesRegenerated)).await?;
    work.commit().await?;
    Ok(codes)
}
