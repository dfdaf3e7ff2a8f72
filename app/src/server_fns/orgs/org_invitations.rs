use leptos::prelude::*;

use crate::error::AppError;
use crate::model::PendingInvitation;

/// The organization's pending (and expired) invitations, for owners and admins.
#[server(endpoint = "org_invitations")]
pub async fn org_invitations(slug: String) -> Result<Vec<PendingInvitation>, AppError> {
    use crate::policy::{self, ManagerTask};
    use crate::server::gate::request::org_access;
    use crate::server::store::invitations;

    let access = org_access(&slug).await?;
    policy::may_manage(access.org.my_role, ManagerTask::SeeInvitations)?;
    invitations::for_org(&access.state.db, access.org.id, access.state.clock.now()).await
}
