use leptos::prelude::*;

use crate::error::AppError;
use crate::model::LogPage;

/// The Settings tab's "Audit log": owners and admins only.
#[server(endpoint = "audit_log")]
pub async fn audit_log(slug: String, #[server(default)] page: i64) -> Result<LogPage, AppError> {
    use crate::policy::{self, ManagerTask};
    use crate::server::gate::request::org_access;
    use crate::server::store::orgs;

    let access = org_access(&slug).await?;
    policy::may_manage(access.org.my_role, ManagerTask::SeeAuditLog)?;
    orgs::audit_page(&access.state.db, access.org.id, page).await
}
