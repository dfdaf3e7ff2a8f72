use leptos::prelude::*;

use crate::error::AppError;
use crate::model::OrgPage;

/// The organization and its members, for any member; emails and 2FA status for managers only.
#[server(endpoint = "load_org")]
pub async fn load_org(slug: String) -> Result<OrgPage, AppError> {
    use crate::policy::{self, ManagerTask};
    use crate::server::request::org_access;
    use crate::server::{credentials, orgs};

    let access = org_access(&slug).await?;
    let manager_view = policy::may_manage(access.org.my_role, ManagerTask::ManageMembers).is_ok();
    let mut members = orgs::members(&access.state.db, access.org.id, manager_view).await?;
    if manager_view {
        let now = access.state.clock.now();
        let counts: std::collections::HashMap<i64, i64> =
            crate::server::api_tokens::active_counts(&access.state.db, access.org.id, now).await?.into_iter().collect();
        for m in &mut members {
            m.active_tokens = Some(counts.get(&m.user_id).copied().unwrap_or(0));
        }
    }
    let two_factor_due = match access.org.two_factor_deadline {
        Some(deadline) if !credentials::is_enabled(&access.state.db, access.user.id).await? => Some(deadline),
        _ => None,
    };
    Ok(OrgPage { org: access.org, members, two_factor_due })
}
