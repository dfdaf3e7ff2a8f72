//! An owner's or admin's reset of a member's two-factor authentication (a
//! lost phone): narrow (policy::may_reset_two_factor, checked again inside
//! the write) and loud (the member's notice and security log, and the audit
//! log of every organization they belong to), all in one transaction.

use super::reauthentication::{self, Reauthentication};
use super::{Ctx, InOrg};
use crate::error::AppResult;
use crate::policy::{self, ResetCircumstances};
use crate::server::flows::oidc::backchannel::Ended;
use crate::server::guards::second_factor::Accept;
use crate::server::refusals::Refused;
use crate::server::store::events::{AuditEvent, SecurityEvent};
use crate::server::store::ids::{OrgId, UserId};
use crate::server::store::outbox::{Message, MessageKind};
use crate::server::words::audit_detail::Detail;
use crate::server::words::notices::Notice;
use crate::server::{store::credentials, store::orgs, store::sessions, store::users};

/// The actor must have 2FA and re-authenticates with their password and a
/// current second factor; the member's sessions end too (a lost phone may
/// be a stolen one), and they are told at their next visit.
// `skip_all`: the password, the code and the request metadata stay out of the log.
#[tracing::instrument(skip_all)]
pub async fn reset(cx: &Ctx<'_>, m: InOrg<'_>, target_id: i64, input: Reauthentication) -> AppResult<()> {
    let db = cx.db();
    let target_role = orgs::role_of(db, OrgId(m.org.id), UserId(target_id)).await?.ok_or(Refused::NotAMember)?;
    if target_id == m.user.id {
        return Err(Refused::ResetYourOwn.into());
    }
    let circumstances = ResetCircumstances {
        actor_has_two_factor: credentials::is_enabled(db, m.user.id).await?,
        target_manages_another_org: orgs::manages_another_org(db, UserId(target_id), OrgId(m.org.id)).await?,
    };
    policy::may_reset_two_factor(m.org.my_role, target_role, circumstances)?;
    if !credentials::is_enabled(db, target_id).await? {
        return Err(Refused::MemberHasNoTwoFactor.into());
    }
    let proven = reauthentication::as_member(cx, m, input, Accept::Either).await?;
    let mut work = cx.work_proven(proven).await?;
    let tx = work.tx();
    orgs::lock(tx, m.org.id).await?;
    if !credentials::disable_for_reset(tx, m.org.id, (target_id, target_role), (m.user.id, m.org.my_role)).await? {
        work.abandon().await?;
        return Err(Refused::ResetOvertaken.into());
    }
    crate::server::flows::oidc::backchannel::notify(&mut work, target_id, Ended::Every).await?;
    sessions::delete_all_for_user(&mut **work.tx(), target_id).await?;
    crate::server::store::browsers::forget_all(&mut **work.tx(), target_id).await?;
    let notice = Notice::TwoFactorReset {
        actor: m.user.name.clone(),
        actor_email: m.user.email.clone(),
        actor_role: m.org.my_role,
        org: m.org.name.clone(),
        org_requires: m.org.two_factor_deadline.is_some(),
        at: cx.now,
    };
    users::set_notice(&mut **work.tx(), target_id, &notice.stored()).await?;
    work.security(target_id, SecurityEvent::TwoFactorResetByAdmin).await?;
    // Every organization of the member learns of it, not only the one it came through.
    let detail = Detail::new().with("user_id", target_id).with("through", m.org.name.as_str()).stored();
    orgs::audit_every_org_of(work.tx(), target_id, m.user.id, AuditEvent::MemberTwoFactorReset, &detail, cx.now)
        .await?;
    let message = Message::to(target_id, MessageKind::TwoFactorReset).with("org", m.org.name.as_str());
    work.send(message.with("actor", m.user.name.as_str())).await?;
    work.commit().await
}
