use leptos::prelude::*;

use crate::error::AppError;

/// Withdraws an invitation before it is answered.
#[server(endpoint = "cancel_invitation")]
pub async fn cancel_invitation(slug: String, invitation_id: i64) -> Result<(), AppError> {
    use crate::server::invitations;
    use crate::server::request::org_access;

    let access = org_access(&slug).await?;
    let now = access.state.clock.now();
    invitations::cancel(&access.state.db, access.org.id, &access.user, access.org.my_role, invitation_id, now).await
}
