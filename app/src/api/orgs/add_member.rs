use leptos::prelude::*;

use crate::error::AppError;

/// Invites a person, by email, to join with `role`. The answer is the same
/// whether or not an account uses the email: managers learn nothing about
/// who has an account, and nobody joins without accepting.
#[server(endpoint = "add_member")]
pub async fn add_member(slug: String, email: String, role: String) -> Result<String, AppError> {
    use crate::model::Role;
    use crate::server::invitations::{self, Invited};
    use crate::server::request::org_access;
    use crate::validate;

    let access = org_access(&slug).await?;
    let role: Role = role.parse().map_err(|m: String| AppError::validation("role", m))?;
    let email = validate::email(&email)?;
    let now = access.state.clock.now();
    match invitations::invite(&access.state.db, access.org.id, &access.user, access.org.my_role, &email, role, now)
        .await?
    {
        Invited::Sent => {
            Ok(format!("Invitation sent to {email}. They will see it when they log in, or after they sign up."))
        }
        Invited::AlreadyMember => {
            Err(AppError::validation("email", format!("{email} is already a member of this organization.")))
        }
    }
}
