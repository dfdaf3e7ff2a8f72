//! Organizations and their members, as owners and admins manage them.

use super::reauthentication::{self, Reauthentication};
use super::{Ctx, InOrg, Work};
use crate::error::AppResult;
use crate::factors::{compliance, Account};
use crate::factors::{Kind, Kinds};
use crate::model::{OrgSummary, Role, User, GRACE_DAYS};
use crate::policy::{self, ManagerTask, Requirement};
use crate::server::guards::second_factor::Accept;
use crate::server::refusals::{LastOwnerWrite, Refused};
use crate::server::store::events::AuditEvent;
use crate::server::store::ids::{OrgId, UserId};
use crate::server::store::orgs;
use crate::server::store::outbox::{Message, MessageKind};
use crate::server::store::{credentials, users};
use crate::server::words::audit_detail::Detail;
use crate::server::{store::invitation_codes, store::invitations};
use crate::validate;

pub struct NewOrg {
    pub name: String,
    /// Empty: made from the name.
    pub slug: String,
}

/// Creates an organization; the creator becomes its owner.
pub async fn create(cx: &Ctx<'_>, user: &User, input: NewOrg) -> AppResult<OrgSummary> {
    let name = validate::org_name(&input.name)?;
    let slug = if input.slug.trim().is_empty() { validate::slug_from_name(&name) } else { input.slug };
    let slug = validate::slug(&slug)?;
    let mut work = cx.work().await?;
    let rule = cx.state.settings.org_creation;
    let is_operator = crate::server::store::users::is_operator(&mut **work.tx(), user.id).await?;
    crate::policy::may_create_org(rule, is_operator).map_err(Refused::Policy)?;
    let org = orgs::create(work.tx(), user.id, &name, &slug, cx.now).await?;
    work.audit(org.id, user.id, AuditEvent::OrgCreated, Detail::new().with("name", name).with("slug", slug)).await?;
    work.commit().await?;
    Ok(org)
}

fn parse_role(role: &str) -> Result<Role, Refused> {
    role.parse().map_err(|message| Refused::InvalidRole { message })
}

/// Who was invited, and the one-time code they accept with (shown to the inviter once).
#[derive(Debug)]
pub struct Invited {
    pub email: String,
    pub code: String,
}

/// Invites a person, by email, to join with `role`. The answer is the same
/// whether or not an account uses the email (the same queries run), and
/// nobody joins without accepting with the invitation's code. Returns the
/// email as normalized, and the code.
pub async fn invite(cx: &Ctx<'_>, m: InOrg<'_>, email: &str, role: &str) -> AppResult<Invited> {
    let role = parse_role(role)?;
    let email = validate::email(email)?;
    policy::may_invite(m.org.my_role, role)?;
    let mut work = cx.work().await?;
    let tx = work.tx();
    orgs::lock(tx, m.org.id).await?;
    // Managers see their members' emails anyway: saying so reveals nothing.
    if invitations::is_member_email(tx, m.org.id, &email).await? {
        return Err(Refused::AlreadyMember { email: Some(email) }.into());
    }
    // Replacing a pending invitation is cancelling it.
    if let Some(pending) = invitations::pending_role(tx, m.org.id, &email).await? {
        policy::may_cancel_invitation(m.org.my_role, pending)?;
    }
    let code = invitation_codes::generate();
    let code_hash = invitation_codes::hash(&cx.state.keys, &code.replace('-', ""));
    let new = invitations::NewInvitation { role, invited_by: m.user.id, code_hash: &code_hash };
    invitations::upsert(tx, m.org.id, &email, &new, cx.now).await?;
    let detail = Detail::new().with("email", email.as_str()).with("role", role.as_str());
    work.audit(m.org.id, m.user.id, AuditEvent::MemberInvited, detail).await?;
    // An address with an account is told (one without has no one to tell yet).
    if let Some(invitee) = crate::server::store::users::id_by_email(&mut **work.tx(), &email).await? {
        let message = Message::to(invitee, MessageKind::Invitation)
            .with("org", m.org.name.as_str())
            .with("inviter", m.user.name.as_str());
        work.send(message).await?;
    }
    work.commit().await?;
    Ok(Invited { email, code })
}

/// Changes a member's role; an organization always keeps an owner.
pub async fn change_role(cx: &Ctx<'_>, m: InOrg<'_>, user_id: i64, role: &str) -> AppResult<()> {
    let role = parse_role(role)?;
    let target = orgs::role_of(cx.db(), OrgId(m.org.id), UserId(user_id)).await?.ok_or(Refused::NotAMember)?;
    policy::may_change_role(m.org.my_role, target, role)?;
    let actor = m.actor();
    let mut work = cx.work().await?;
    orgs::lock(work.tx(), m.org.id).await?;
    if !orgs::set_role_as_checked(work.tx(), &actor, user_id, target, role).await? {
        return unchanged(cx, work, m, user_id, target, LastOwnerWrite::Demote).await;
    }
    let detail = Detail::new().with("user_id", user_id).with("from", target.as_str()).with("to", role.as_str());
    work.audit(m.org.id, m.user.id, AuditEvent::RoleChanged, detail).await?;
    work.commit().await
}

/// Removes a member; the last owner stays.
pub async fn remove_member(cx: &Ctx<'_>, m: InOrg<'_>, user_id: i64) -> AppResult<()> {
    let target = orgs::role_of(cx.db(), OrgId(m.org.id), UserId(user_id)).await?.ok_or(Refused::NotAMember)?;
    policy::may_remove(m.org.my_role, target)?;
    let actor = m.actor();
    let mut work = cx.work().await?;
    orgs::lock(work.tx(), m.org.id).await?;
    if !orgs::remove_as_checked(work.tx(), &actor, user_id, target).await? {
        return unchanged(cx, work, m, user_id, target, LastOwnerWrite::Remove).await;
    }
    work.audit(m.org.id, m.user.id, AuditEvent::MemberRemoved, Detail::new().with("user_id", user_id)).await?;
    work.commit().await
}

/// A membership write changed nothing: says why, read after the rollback.
async fn unchanged(
    cx: &Ctx<'_>,
    work: Work<'_>,
    m: InOrg<'_>,
    user_id: i64,
    expected: Role,
    write: LastOwnerWrite,
) -> AppResult<()> {
    work.abandon().await?;
    Err(orgs::why_unchanged(cx.db(), &m.actor(), user_id, expected, write).await?.into())
}

pub struct RequirementInput {
    pub require: bool,
    pub grace_days: i64,
    /// Needed (with `code`) only to switch it off or change the grace period of a requirement in force.
    pub password: String,
    pub code: String,
}

/// "Enable for all users in organization". Switching it on needs every
/// owner, and the person acting, to have 2FA already, and is open to owners
/// and admins; switching it off or changing the grace period of a
/// requirement in force is for owners only, with their password and code.
// `skip_all`: the password and the code never reach a log line.
#[tracing::instrument(skip_all)]
pub async fn set_requirement(cx: &Ctx<'_>, m: InOrg<'_>, input: RequirementInput) -> AppResult<()> {
    policy::may_manage(m.org.my_role, ManagerTask::ChangeSettings)?;
    if !GRACE_DAYS.contains(&input.grace_days) {
        return Err(Refused::GraceDaysInvalid.into());
    }
    let db = cx.db();
    let (was_required, was_grace) = orgs::two_factor_policy(db, m.org.id).await?;
    let from = Requirement { required: was_required, grace_days: was_grace };
    let to = Requirement { required: input.require, grace_days: input.grace_days };
    let change = policy::may_change_requirement(m.org.my_role, from, to)?;
    if to.required {
        // Owners, and the person acting, comply before members are asked to.
        // Both by the one rule (`compliance::complies`), from what each holds.
        let rule = orgs::two_factor_rule(db, m.org.id).await?;
        let me = Account {
            held: credentials::held(db, m.user.id).await?.kinds,
            has_password: users::has_password(db, m.user.id).await?,
        };
        let complies = compliance::complies(me, rule);
        let owners_without = orgs::members(db, m.org.id)
            .await?
            .into_iter()
            .filter(|row| row.role == Role::Owner && !compliance::complies(row.account(), rule))
            .map(|row| User { id: row.user_id, name: row.name, email: row.email })
            .collect();
        policy::may_require_two_factor(m.user, complies, owners_without)?;
    }
    let (kind, detail) = requirement_audit(from, to, change.needs_owner());
    let write = RequirementWrite { org_id: m.org.id, from, to, kind, detail, actor_id: m.user.id };
    if !change.needs_owner() {
        return OwnerWrite::Requirement(&write).plain(cx).await;
    }
    let reauthentication = Reauthentication { password: input.password, code: input.code };
    let refused_without = Refused::RequirementNeedsReauthentication;
    OwnerWrite::Requirement(&write).reauthenticated(cx, m, reauthentication, refused_without).await
}

/// A change that weakens an organization's protection, made by an owner.
enum OwnerWrite<'a> {
    Requirement(&'a RequirementWrite),
    Factors(&'a AllowedFactorsWrite),
}

impl OwnerWrite<'_> {
    /// False when someone changed the setting since it was read.
    async fn run(&self, work: &mut Work<'_>) -> AppResult<bool> {
        match self {
            OwnerWrite::Requirement(write) => write.run(work).await,
            OwnerWrite::Factors(write) => write.run(work).await,
        }
    }

    /// A tightening: owners and admins, no re-authentication.
    async fn plain(&self, cx: &Ctx<'_>) -> AppResult<()> {
        let mut work = cx.work().await?;
        if !self.run(&mut work).await? {
            work.abandon().await?;
            return Err(Refused::RequirementChangedMeanwhile.into());
        }
        work.commit().await
    }

    /// With the owner's password and a current code from their app, claimed
    /// in the write's unit of work, or a security key confirmed in this
    /// session; `without`: the refusal when neither came.
    async fn reauthenticated(
        &self,
        cx: &Ctx<'_>,
        m: InOrg<'_>,
        reauthentication: Reauthentication,
        without: Refused,
    ) -> AppResult<()> {
        let held = credentials::held(cx.db(), m.user.id).await?;
        let may_use_key = held.has(Kind::SecurityKey) && m.session_hash.is_some();
        if reauthentication.password.is_empty() && !may_use_key {
            return Err(without.into());
        }
        if !held.any() {
            return Err(Refused::RequirementNeedsYourTwoFactor.into());
        }
        let proven = reauthentication::as_member(cx, m, reauthentication, Accept::Totp).await?;
        let mut work = cx.work_proven(proven).await?;
        if !self.run(&mut work).await? {
            work.abandon().await?;
            return Err(Refused::RequirementChangedMeanwhile.into());
        }
        work.commit().await
    }
}

/// The requirement's conditional write and its audit row.
struct RequirementWrite {
    org_id: i64,
    from: Requirement,
    to: Requirement,
    kind: AuditEvent,
    detail: Detail,
    actor_id: i64,
}

impl RequirementWrite {
    /// False when someone changed the requirement since it was read.
    async fn run(&self, work: &mut Work<'_>) -> AppResult<bool> {
        let (from, to, now) = (self.from, self.to, work.now());
        let expected = (from.required, from.grace_days);
        if !orgs::set_two_factor_policy(&mut **work.tx(), self.org_id, expected, to.required, to.grace_days, now)
            .await?
        {
            return Ok(false);
        }
        work.audit(self.org_id, self.actor_id, self.kind, self.detail.clone()).await?;
        Ok(true)
    }
}

/// The audit row of a requirement change: its kind and parameters.
fn requirement_audit(from: Requirement, to: Requirement, confirmed_by_owner: bool) -> (AuditEvent, Detail) {
    let detail = Detail::new().with("confirmed_by_owner", confirmed_by_owner);
    match (to.required, from.required) {
        (true, true) if to.grace_days != from.grace_days => {
            (AuditEvent::TwoFactorRequired, detail.with("grace_days", to.grace_days).with("was", from.grace_days))
        }
        (true, _) => (AuditEvent::TwoFactorRequired, detail.with("grace_days", to.grace_days)),
        (false, _) => (AuditEvent::TwoFactorNotRequired, detail),
    }
}

/// "Allowed second factors" (Settings tab): owners and admins, at least one
/// kind; enforcement (`request::complies`) reads it on the next request.
pub async fn set_allowed_factors(
    cx: &Ctx<'_>,
    m: InOrg<'_>,
    allowed: Kinds,
    reauthentication: Reauthentication,
) -> AppResult<()> {
    let from = orgs::allowed_factors(cx.db(), m.org.id).await?;
    let change = policy::may_change_allowed_factors(m.org.my_role, from, allowed)?;
    let detail = Detail::new().with("kinds", allowed.iter().map(Kind::as_str).collect::<Vec<_>>());
    let write = AllowedFactorsWrite { org_id: m.org.id, actor_id: m.user.id, from, to: allowed, detail };
    if change == policy::FactorsChange::Tighten {
        return OwnerWrite::Factors(&write).plain(cx).await;
    }
    // Allowing a weaker kind: the owner proves it is them, as for switching the requirement off.
    let refused_without = Refused::FactorsNeedReauthentication;
    OwnerWrite::Factors(&write).reauthenticated(cx, m, reauthentication, refused_without).await
}

/// The allowed factors' conditional write and its audit row.
struct AllowedFactorsWrite {
    org_id: i64,
    actor_id: i64,
    from: Kinds,
    to: Kinds,
    detail: Detail,
}

impl AllowedFactorsWrite {
    async fn run(&self, work: &mut Work<'_>) -> AppResult<bool> {
        if !orgs::set_allowed_factors(&mut **work.tx(), self.org_id, (self.from, self.to)).await? {
            return Ok(false);
        }
        work.audit(self.org_id, self.actor_id, AuditEvent::AllowedFactorsChanged, self.detail.clone()).await?;
        Ok(true)
    }
}

/// The Settings tab's "Let members skip the code on browsers they remember
/// (30 days)", audited; forbidding forgets the members' remembered browsers.
pub async fn set_remembered_browsers(cx: &Ctx<'_>, m: InOrg<'_>, allow: bool) -> AppResult<()> {
    policy::may_set_remembered_browsers(m.org.my_role, allow)?;
    let mut work = cx.work().await?;
    crate::server::store::browsers::set_org_forbids(work.tx(), m.org.id, !allow).await?;
    let event = if allow { AuditEvent::RememberedBrowsersAllowed } else { AuditEvent::RememberedBrowsersForbidden };
    work.audit(m.org.id, m.user.id, event, Detail::new()).await?;
    work.commit().await
}

/// "Require several factors from identity providers", audited: then a
/// provider's sign-in whose `amr` names no second factor is asked for this
/// server's, and members without a password no longer comply by that alone.
pub async fn set_upstream_mfa_requirement(cx: &Ctx<'_>, m: InOrg<'_>, require: bool) -> AppResult<()> {
    policy::may_require_upstream_mfa(m.org.my_role, require)?;
    let mut work = cx.work().await?;
    crate::server::store::org_settings::set_requires_upstream_mfa(&mut **work.tx(), m.org.id, require).await?;
    let event = if require { AuditEvent::UpstreamMfaRequired } else { AuditEvent::UpstreamMfaNotRequired };
    work.audit(m.org.id, m.user.id, event, Detail::new()).await?;
    work.commit().await
}

/// The Settings tab's "Require verified email addresses", audited: members
/// whose address is not verified are then refused on its every route.
pub async fn set_verified_emails_requirement(cx: &Ctx<'_>, m: InOrg<'_>, require: bool) -> AppResult<()> {
    policy::may_require_verified_emails(m.org.my_role, require)?;
    let mut work = cx.work().await?;
    crate::server::store::org_settings::set_requires_verified_emails(&mut **work.tx(), m.org.id, require).await?;
    let event = if require { AuditEvent::VerifiedEmailsRequired } else { AuditEvent::VerifiedEmailsNotRequired };
    work.audit(m.org.id, m.user.id, event, Detail::new()).await?;
    work.commit().await
}
