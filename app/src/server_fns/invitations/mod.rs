//! The invitee's side of invitations: their own, found by the signed-in
//! user's email, answered by id. No organization gate: they are not members yet.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Invitation;

/// Invitations to the signed-in user's email, newest first.
#[server(endpoint = "my_invitations")]
pub async fn my_invitations() -> Result<Vec<Invitation>, AppError> {
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    crate::server::flows::invitations::mine(&access.cx(), &access.user).await
}

/// Joins the organization with the invited role, with the invitation's
/// one-time `code` (the inviter gave it). Returns its slug.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(invitation_id: i64, #[server(default)] code: String) -> Result<String, AppError> {
    use crate::server::flows::invitations;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    let slug = invitations::accept(&access.cx(), &access.user, invitation_id, &code).await?;
    crate::server_fns::plain_form::back_with_notice("joined", &slug);
    Ok(slug)
}

#[server(endpoint = "decline_invitation")]
pub async fn decline_invitation(invitation_id: i64) -> Result<(), AppError> {
    use crate::server::flows::invitations;
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    invitations::decline(&access.cx(), &access.user, invitation_id).await
}
