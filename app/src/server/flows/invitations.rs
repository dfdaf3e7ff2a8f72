//! Membership by consent: the invitee accepts or declines, a manager
//! cancels, a member leaves. (Sending one is `orgs::invite`.)

use super::{Ctx, InOrg};
use crate::error::AppResult;
use crate::model::User;
use crate::policy;
use crate::server::refusals::Refused;
use crate::server::store::events::AuditEvent;
use crate::server::store::ids::{OrgId, UserId};
use crate::server::store::invitation_codes;
use crate::server::store::invitations::{self, Taken};
use crate::server::store::orgs;
use crate::server::store::users;
use crate::server::words::audit_detail::Detail;

fn detail(taken: &Taken) -> Detail {
    Detail::new().with("email", taken.email.as_str()).with("role", taken.role.as_str())
}

/// Joins the organization with the invited role, if the invitation was sent
/// to `user`'s email, has not expired, and `code` is its one-time code (the
/// address alone proves nothing: nobody verified it). Wrong codes are
/// counted; the fifth voids the invitation. Returns the organization's slug.
pub async fn accept(cx: &Ctx<'_>, user: &User, invitation_id: i64, code: &str) -> AppResult<String> {
    if !users::email_verified(cx.db(), user.id).await? {
        return Err(Refused::VerifiedAddressNeeded.into());
    }
    let code = invitation_codes::normalize(code).ok_or(Refused::InvitationCodeMalformed)?;
    let mut work = cx.work().await?;
    let taken = invitations::take_for_invitee(work.tx(), invitation_id, &user.email)
        .await?
        .ok_or(Refused::InvitationNotYours)?;
    if !invitation_codes::matches(&cx.state.keys, &code, taken.code_hash.as_deref()) {
        work.abandon().await?;
        return Err(wrong_code(cx, user, invitation_id).await);
    }
    // Returning early drops the transaction, which puts the expired invitation back.
    policy::may_accept_invitation(taken.expires_at, cx.now)?;
    // Already a member (say, from the demo seed): the invitation is used up all the same.
    orgs::join(work.tx(), taken.org_id, user.id, taken.role, cx.now).await?;
    work.audit(taken.org_id, user.id, AuditEvent::InvitationAccepted, detail(&taken)).await?;
    let slug = orgs::slug_of(work.tx(), taken.org_id).await?;
    work.commit().await?;
    Ok(slug)
}

/// Invitations to the person's address, newest first: none until the
/// address is verified (an invitation is for whoever owns the mailbox).
pub async fn mine(cx: &Ctx<'_>, user: &User) -> AppResult<Vec<crate::model::Invitation>> {
    if !users::email_verified(cx.db(), user.id).await? {
        return Ok(Vec::new());
    }
    invitations::for_invitee(cx.db(), &user.email, cx.now).await
}

/// Counts a wrong code; the fifth voids the invitation, with its audit row.
async fn wrong_code(cx: &Ctx<'_>, user: &User, invitation_id: i64) -> crate::error::AppError {
    let counted = async {
        let mut work = cx.work().await?;
        let Some((failures, _)) = invitations::count_failure(work.tx(), invitation_id, &user.email).await? else {
            return Ok(Refused::InvitationNotYours);
        };
        if failures < invitation_codes::MAX_FAILURES {
            work.commit().await?;
            return Ok(Refused::InvitationCodeWrong);
        }
        if let Some(taken) = invitations::take_for_invitee(work.tx(), invitation_id, &user.email).await? {
            let detail = detail(&taken).with("failures", failures);
            work.audit(taken.org_id, user.id, AuditEvent::InvitationVoided, detail).await?;
        }
        work.commit().await?;
        Ok::<_, crate::error::AppError>(Refused::InvitationVoided)
    };
    match counted.await {
        Ok(refused) => refused.into(),
        Err(e) => e,
    }
}

/// Declines (expired or not): the invitation is gone.
pub async fn decline(cx: &Ctx<'_>, user: &User, invitation_id: i64) -> AppResult<()> {
    let mut work = cx.work().await?;
    let taken = invitations::take_for_invitee(work.tx(), invitation_id, &user.email)
        .await?
        .ok_or(Refused::InvitationNotYours)?;
    work.audit(taken.org_id, user.id, AuditEvent::InvitationDeclined, detail(&taken)).await?;
    work.commit().await
}

/// Withdraws an invitation before it is answered, within the actor's role.
pub async fn cancel(cx: &Ctx<'_>, m: InOrg<'_>, invitation_id: i64) -> AppResult<()> {
    let mut work = cx.work().await?;
    let taken = invitations::take_for_org(work.tx(), invitation_id, m.org.id).await?.ok_or(Refused::InvitationGone)?;
    // Refused: dropping the transaction keeps the invitation.
    policy::may_cancel_invitation(m.org.my_role, taken.role)?;
    work.audit(m.org.id, m.user.id, AuditEvent::InvitationCancelled, detail(&taken)).await?;
    work.commit().await
}

/// The member leaves the organization; its last owner cannot.
pub async fn leave(cx: &Ctx<'_>, m: InOrg<'_>) -> AppResult<()> {
    let mut work = cx.work().await?;
    // Two owners leaving at once must not both see the other still there.
    orgs::lock(work.tx(), m.org.id).await?;
    let (role, owners) = orgs::role_and_owner_count(work.tx(), OrgId(m.org.id), UserId(m.user.id))
        .await?
        .ok_or(Refused::YouAreNotAMember)?;
    policy::may_leave(role, owners)?;
    orgs::leave(work.tx(), m.org.id, m.user.id).await?;
    let detail = Detail::new().with("email", m.user.email.as_str()).with("role", role.as_str());
    work.audit(m.org.id, m.user.id, AuditEvent::MemberLeft, detail).await?;
    work.commit().await
}
