//! "Where you're signed in": the account's sessions, each of which its owner
//! may end, and "Sign out everywhere else". Only the account's own sessions
//! are listed or ended, and never the one asking through "Sign out" (that is
//! "Log out").

use super::{Ctx, InSession};
use crate::error::AppResult;
use crate::factors::Proof;
use crate::model::{BrowserSettings, RememberedBrowser, SignedInSession};
use crate::server::flows::oidc::backchannel::{self, Ended};
use crate::server::refusals::Refused;
use crate::server::store::events::SecurityEvent;
use crate::server::store::{browsers, sessions};
use crate::server::words::labels::{browser_label, proof_label};

pub async fn list(cx: &Ctx<'_>, s: InSession<'_>) -> AppResult<Vec<SignedInSession>> {
    let listed = sessions::list_for_user(cx.db(), s.user.id, s.session_hash, cx.now, &cx.state.settings).await?;
    Ok(listed
        .into_iter()
        .map(|l| SignedInSession {
            id: l.id,
            browser: l.user_agent.as_deref().map(browser_label).unwrap_or_else(|| "Unknown browser".into()),
            address: l.ip,
            started_at: l.created_at,
            last_active_at: l.last_seen_at,
            how: proof_label(Proof::parse(&l.proof)).into(),
            current: l.current,
        })
        .collect())
}

/// Ends another of the account's sessions ("Sign out" on its row).
pub async fn end(cx: &Ctx<'_>, s: InSession<'_>, id: &str) -> AppResult<()> {
    let mut work = cx.work().await?;
    // Told only if the session is really ended (the messages roll back with it otherwise).
    backchannel::notify(&mut work, s.user.id, Ended::Session(id)).await?;
    if !sessions::delete_by_public_id(&mut **work.tx(), s.user.id, id, s.session_hash).await? {
        work.abandon().await?;
        return Err(Refused::SessionGone.into());
    }
    work.security(s.user.id, SecurityEvent::SessionEnded).await?;
    work.commit().await
}

/// "Sign out everywhere else"; returns how many sessions ended.
pub async fn end_others(cx: &Ctx<'_>, s: InSession<'_>) -> AppResult<u64> {
    let mut work = cx.work().await?;
    backchannel::notify(&mut work, s.user.id, Ended::AllBut(&sessions::public_id(s.session_hash))).await?;
    let ended = sessions::delete_others(&mut **work.tx(), s.user.id, s.session_hash).await?;
    crate::server::store::browsers::forget_all(&mut **work.tx(), s.user.id).await?;
    work.security(s.user.id, SecurityEvent::OtherSessionsEnded).await?;
    work.commit().await?;
    Ok(ended)
}

/// The remembered browsers (`browser`: the asking browser's hash, if it has
/// its cookie) and the "new browser" mail setting.
pub async fn browser_settings(cx: &Ctx<'_>, s: InSession<'_>, browser: Option<&str>) -> AppResult<BrowserSettings> {
    let remembered = browsers::remembered(cx.db(), s.user.id, browser, cx.now).await?;
    Ok(BrowserSettings {
        remembered: remembered
            .into_iter()
            .map(|r| RememberedBrowser {
                id: r.id,
                browser: r.user_agent.as_deref().map(browser_label).unwrap_or_else(|| "Unknown browser".into()),
                address: r.ip,
                last_active_at: r.last_seen,
                remembered_until: r.remembered_until,
                current: r.current,
            })
            .collect(),
        new_browser_mail: browsers::wants_mail(cx.db(), s.user.id).await?,
    })
}

/// "Forget" on a remembered browser: its next sign-in asks for the code again.
pub async fn forget_browser(cx: &Ctx<'_>, s: InSession<'_>, id: &str) -> AppResult<()> {
    let mut work = cx.work().await?;
    if !browsers::forget(&mut **work.tx(), s.user.id, id).await? {
        work.abandon().await?;
        return Err(Refused::BrowserGone.into());
    }
    work.security(s.user.id, SecurityEvent::BrowserForgotten).await?;
    work.commit().await
}

/// "Email me when a new browser signs in" (the security mails stay on).
pub async fn set_new_browser_mail(cx: &Ctx<'_>, s: InSession<'_>, on: bool) -> AppResult<()> {
    browsers::set_wants_mail(cx.db(), s.user.id, on).await
}
