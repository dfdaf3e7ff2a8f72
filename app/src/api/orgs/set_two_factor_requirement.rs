use leptos::prelude::*;

use crate::error::AppError;

/// "Enable for all users in organization". Switching it on needs every owner,
/// and the person acting, to have 2FA already, and is open to owners and
/// admins; switching it off or changing the grace period of a requirement in
/// force is for owners only, with their password and a current code.
#[server(endpoint = "set_two_factor_requirement")]
pub async fn set_two_factor_requirement(
    slug: String,
    #[server(default)] require: bool,
    #[server(default)] grace_days: i64,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    use crate::model::GRACE_DAYS;
    use crate::policy::{self, Requirement};
    use crate::server::events::AuditEvent;
    use crate::server::request::{org_access, request_meta};
    use crate::server::second_factor::{self, Accept};
    use crate::server::{credentials, orgs};

    let access = org_access(&slug).await?;
    if !access.org.my_role.can_manage() {
        return Err(AppError::forbidden("Only owners and admins can change the organization's settings."));
    }
    if !GRACE_DAYS.contains(&grace_days) {
        return Err(AppError::validation("grace_days", "Choose a grace period of none, 1, 3, 7, 14 or 30 days."));
    }
    let state = &access.state;
    let db = &state.db;
    let (was_required, was_grace) = orgs::two_factor_policy(db, access.org.id).await?;
    let from = Requirement { required: was_required, grace_days: was_grace };
    let change =
        policy::may_change_requirement(access.org.my_role, from, Requirement { required: require, grace_days })
            .map_err(AppError::forbidden)?;
    if require {
        let mut missing = orgs::owners_without_two_factor(db, access.org.id).await?;
        if !credentials::is_enabled(db, access.user.id).await? && !missing.iter().any(|(id, _)| *id == access.user.id) {
            missing.insert(0, (access.user.id, format!("{} ({})", access.user.name, access.user.email)));
        }
        if !missing.is_empty() {
            let names: Vec<_> = missing.into_iter().map(|(_, name)| name).collect();
            return Err(AppError::conflict(format!(
                "Every owner, and you, must have two-factor authentication before it can be required. Without it: {}.",
                names.join(", ")
            )));
        }
    }
    if change.needs_owner() {
        if password.is_empty() {
            return Err(AppError::validation(
                "password",
                "Enter your password and the code your authenticator app shows now to switch the requirement off or change its grace period.",
            ));
        }
        if !credentials::is_enabled(db, access.user.id).await? {
            return Err(AppError::conflict("Set up two-factor authentication on your account first: this change needs a code from your authenticator app."));
        }
        second_factor::reauthenticate(
            state,
            access.user.id,
            &access.user.email,
            password,
            Some((&code, Accept::Totp)),
            &request_meta(),
        )
        .await?;
    }
    let now = state.clock.now();
    let (kind, mut detail) = match (require, was_required) {
        (true, true) if grace_days != was_grace => {
            (AuditEvent::TwoFactorRequired, format!("grace period: {grace_days} days (was {was_grace})"))
        }
        (true, _) => (AuditEvent::TwoFactorRequired, format!("grace period: {grace_days} days")),
        (false, _) => (AuditEvent::TwoFactorNotRequired, String::new()),
    };
    if change.needs_owner() {
        detail = [detail.as_str(), "confirmed by the owner with password and code"]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("; ");
    }
    let mut tx = db.begin().await?;
    if !orgs::set_two_factor_policy(&mut *tx, access.org.id, (was_required, was_grace), require, grace_days, now)
        .await?
    {
        return Err(AppError::conflict("Someone changed this setting meanwhile. Reload the page and check it again."));
    }
    orgs::audit(&mut *tx, access.org.id, access.user.id, kind, &detail, now).await?;
    tx.commit().await?;
    Ok(())
}
