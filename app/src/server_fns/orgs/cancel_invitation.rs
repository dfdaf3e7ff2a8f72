use leptos::prelude::*;

use crate::error::AppError;

/// Withdraws an invitation before it is answered.
#[server(endpoint = "cancel_invitation")]
pub async fn cancel_invitation(slug: String, invitation_id: i64) -> Result<(), AppError> {
    use crate::server::flows::invitations;
    use crate::server::gate::request::org_access;

    let access = org_access(&slug).await?;
    invitations::cancel(&access.cx(), access.in_org(), invitation_id).await
}
