//! An owner's or admin's reset of a member's two-factor authentication (a
//! lost phone): narrow (policy::may_reset_two_factor, checked again inside
//! the write) and loud (the member's notice and security log, and the audit
//! log of every organization they belong to), all in one transaction.

use super::backup_codes::{reauthenticate, Reauthentication};
use super::{Ctx, InOrg};
use crate::error::AppResult;
use crate::policy::{self, ResetCircumstances};
use crate::server::events::{self, AuditEvent, SecurityEvent};
use crate::server::refusals::Refused;
use crate::server::second_factor::Accept;
use crate::server::{credentials, orgs, sessions, users, wording};

/// The actor must have 2FA and re-authenticates with their password and a
/// current second factor; the member's sessions end too (a lost phone may
/// be a stolen one), and they are told at their next visit.
// `skip_all`: the password, the code and the request metadata stay out of the log.
#[tracing::instrument(skip_all)]
pub async fn reset(cx: &Ctx<'_>, m: InOrg<'_>, target_id: i64, input: Reauthentication) -> AppResult<()> {
    let db = cx.db();
    let target_role = orgs::role_of(db, m.org.id, target_id).await?.ok_or(Refused::NotAMember)?;
    if target_id == m.user.id {
        return Err(Refused::ResetYourOwn.into());
    }
    let circumstances = ResetCircumstances {
        actor_has_two_factor: credentials::is_enabled(db, m.user.id).await?,
        target_manages_another_org: orgs::manages_another_org(db, target_id, m.org.id).await?,
    };
    policy::may_reset_two_factor(m.org.my_role, target_role, circumstances)?;
    if !credentials::is_enabled(db, target_id).await? {
        return Err(Refused::MemberHasNoTwoFactor.into());
    }
    let challenge = reauthenticate(cx, m.user, input, Accept::Either).await?;
    let mut authorized = cx.begin_with_code(challenge).await?;
    let tx = &mut authorized.tx;
    orgs::lock(tx, m.org.id).await?;
    if !credentials::disable_for_reset(tx, m.org.id, (target_id, target_role), (m.user.id, m.org.my_role)).await? {
        authorized.abandon(cx).await?;
        return Err(Refused::ResetOvertaken.into());
    }
    sessions::delete_all_for_user(&mut **tx, target_id).await?;
    let notice = wording::reset_notice(m.user, m.org.my_role, m.org, cx.now);
    users::set_notice(&mut **tx, target_id, &notice).await?;
    events::record(&mut **tx, target_id, SecurityEvent::TwoFactorResetByAdmin, cx.meta, cx.now).await?;
    // Every organization of the member learns of it, not only the one it came through.
    let detail = format!("user {target_id}, through {}", m.org.name);
    orgs::audit_every_org_of(tx, target_id, m.user.id, AuditEvent::MemberTwoFactorReset, &detail, cx.now).await?;
    authorized.commit(cx).await
}
