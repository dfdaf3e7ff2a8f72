use leptos::prelude::*;

use crate::error::AppError;

/// "Enable for all users in organization". Switching it on needs every owner,
/// and the person acting, to have 2FA already; off restores everyone at once.
#[server(endpoint = "set_two_factor_requirement")]
pub async fn set_two_factor_requirement(slug: String, #[server(default)] require: bool, #[server(default)] grace_days: i64) -> Result<(), AppError> {
    use crate::model::GRACE_DAYS;
    use crate::server::request::org_access;
    use crate::server::{credentials, orgs};

    let access = org_access(&slug).await?;
    if !access.org.my_role.can_manage() {
        return Err(AppError::forbidden("Only owners and admins can change the organization's settings."));
    }
    if !GRACE_DAYS.contains(&grace_days) {
        return Err(AppError::validation("grace_days", "Choose a grace period of none, 1, 3, 7, 14 or 30 days."));
    }
    let db = &access.state.db;
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
    let now = access.state.clock.now();
    orgs::set_two_factor_policy(db, access.org.id, require, grace_days, now).await?;
    let (kind, detail) = if require {
        ("two_factor_required", format!("grace period: {grace_days} days"))
    } else {
        ("two_factor_not_required", String::new())
    };
    orgs::audit(db, access.org.id, access.user.id, kind, &detail, now).await?;
    Ok(())
}
