use leptos::prelude::*;

use crate::error::AppError;
use crate::model::InvitationSent;

/// Invites a person, by email, to join with `role`. The answer is the same
/// whether or not an account uses the email; it carries the invitation's
/// one-time code, which the invitee accepts with.
#[server(endpoint = "add_member")]
pub async fn add_member(slug: String, email: String, role: String) -> Result<InvitationSent, AppError> {
    use crate::server::flows::orgs;
    use crate::server::gate::request::org_access;

    let access = org_access(&slug).await?;
    let invited = orgs::invite(&access.cx(), access.in_org(), &email, &role).await?;
    // The flash cookie carries both to the page (never the URL: see the server's flash middleware).
    crate::server_fns::plain_form::back_with_notices(&[
        ("invited", &invited.email),
        ("invitation_code", &invited.code),
    ]);
    Ok(InvitationSent::new(invited.email, invited.code))
}
