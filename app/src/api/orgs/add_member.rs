use leptos::prelude::*;

use crate::error::AppError;

/// Adds an existing account to the organization by email.
#[server(endpoint = "add_member")]
pub async fn add_member(slug: String, email: String, role: String) -> Result<(), AppError> {
    use crate::model::Role;
    use crate::server::request::{org_access};
    use crate::server::{orgs, users};
    use crate::{policy, validate};

    let access = org_access(&slug).await?;
    let role: Role = role.parse().map_err(|m: String| AppError::validation("role", m))?;
    policy::may_add(access.org.my_role, role).map_err(AppError::forbidden)?;
    let email = validate::email(&email)?;
    let db = &access.state.db;
    // Only managers get here, and they need to know whom they are adding.
    let user = users::find_by_email(db, &email).await?.ok_or_else(|| {
        AppError::validation("email", format!("No Portcullis account uses {email}. Ask them to sign up first."))
    })?;
    orgs::add_member(db, access.org.id, user.id, role, access.state.clock.now()).await?;
    let detail = format!("{} as {}", user.email, role.as_str());
    orgs::audit(db, access.org.id, access.user.id, "member_added", &detail, access.state.clock.now()).await?;
    Ok(())
}
