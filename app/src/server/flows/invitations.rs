//! Membership by consent: the invitee accepts or declines, a manager
//! cancels, a member leaves. (Sending one is `orgs::invite`.)

use super::{Ctx, InOrg};
use crate::error::AppResult;
use crate::model::User;
use crate::policy;
use crate::server::events::AuditEvent;
use crate::server::invitation_codes;
use crate::server::invitations::{self, Taken};
use crate::server::orgs;
use crate::server::refusals::Refused;

fn detail(taken: &Taken) -> String {
    format!("{} as {}", taken.email, taken.role.as_str())
}

/// Joins the organization with the invited role, if the invitation was sent
/// to `user`'s email, has not expired, and `code` is its one-time code (the
/// address alone proves nothing: nobody verified it). Wrong codes are
/// counted; the fifth voids the invitation. Returns the organization's slug.
pub async fn accept(cx: &Ctx<'_>, user: &User, invitation_id: i64, code: &str) -> AppResult<String> {
    let code = invitation_codes::normalize(code).ok_or(Refused::InvitationCodeMalformed)?;
    let mut tx = cx.begin().await?;
    let taken =
        invitations::take_for_invitee(&mut tx, invitation_id, &user.email).await?.ok_or(Refused::InvitationNotYours)?;
    if !invitation_codes::matches(&cx.state.keys, &code, taken.code_hash.as_deref()) {
        tx.rollback().await?;
        return Err(wrong_code(cx, user, invitation_id).await);
    }
    // Returning early drops the transaction, which puts the expired invitation back.
    policy::may_accept_invitation(taken.expires_at, cx.now)?;
    // Already a member (say, from the demo seed): the invitation is used up all the same.
    orgs::join(&mut tx, taken.org_id, user.id, taken.role, cx.now).await?;
    orgs::audit(&mut *tx, taken.org_id, user.id, AuditEvent::InvitationAccepted, &detail(&taken), cx.now).await?;
    let slug = orgs::slug_of(&mut tx, taken.org_id).await?;
    tx.commit().await?;
    Ok(slug)
}

/// Counts a wrong code; the fifth voids the invitation, with its audit row.
async fn wrong_code(cx: &Ctx<'_>, user: &User, invitation_id: i64) -> crate::error::AppError {
    let counted = async {
        let mut tx = cx.begin().await?;
        let Some((failures, _)) = invitations::count_failure(&mut tx, invitation_id, &user.email).await? else {
            return Ok(Refused::InvitationNotYours);
        };
        if failures < invitation_codes::MAX_FAILURES {
            tx.commit().await?;
            return Ok(Refused::InvitationCodeWrong);
        }
        if let Some(taken) = invitations::take_for_invitee(&mut tx, invitation_id, &user.email).await? {
            let detail = format!("{}: {} wrong invitation codes", detail(&taken), failures);
            orgs::audit(&mut *tx, taken.org_id, user.id, AuditEvent::InvitationVoided, &detail, cx.now).await?;
        }
        tx.commit().await?;
        Ok::<_, crate::error::AppError>(Refused::InvitationVoided)
    };
    match counted.await {
        Ok(refused) => refused.into(),
        Err(e) => e,
    }
}

/// Declines (expired or not): the invitation is gone.
pub async fn decline(cx: &Ctx<'_>, user: &User, invitation_id: i64) -> AppResult<()> {
    let mut tx = cx.begin().await?;
    let taken =
        invitations::take_for_invitee(&mut tx, invitation_id, &user.email).await?.ok_or(Refused::InvitationNotYours)?;
    orgs::audit(&mut *tx, taken.org_id, user.id, AuditEvent::InvitationDeclined, &detail(&taken), cx.now).await?;
    tx.commit().await?;
    Ok(())
}

/// Withdraws an invitation before it is answered, within the actor's role.
pub async fn cancel(cx: &Ctx<'_>, m: InOrg<'_>, invitation_id: i64) -> AppResult<()> {
    let mut tx = cx.begin().await?;
    let taken = invitations::take_for_org(&mut tx, invitation_id, m.org.id).await?.ok_or(Refused::InvitationGone)?;
    // Refused: dropping the transaction keeps the invitation.
    policy::may_cancel_invitation(m.org.my_role, taken.role)?;
    orgs::audit(&mut *tx, m.org.id, m.user.id, AuditEvent::InvitationCancelled, &detail(&taken), cx.now).await?;
    tx.commit().await?;
    Ok(())
}

/// The member leaves the organization; its last owner cannot.
pub async fn leave(cx: &Ctx<'_>, m: InOrg<'_>) -> AppResult<()> {
    let mut tx = cx.begin().await?;
    // Two owners leaving at once must not both see the other still there.
    orgs::lock(&mut tx, m.org.id).await?;
    let (role, owners) =
        orgs::role_and_owner_count(&mut tx, m.org.id, m.user.id).await?.ok_or(Refused::YouAreNotAMember)?;
    policy::may_leave(role, owners)?;
    orgs::leave(&mut tx, m.org.id, m.user.id).await?;
    let detail = format!("{} ({})", m.user.email, role.as_str());
    orgs::audit(&mut *tx, m.org.id, m.user.id, AuditEvent::MemberLeft, &detail, cx.now).await?;
    tx.commit().await?;
    Ok(())
}
