//! Applications signing in through Portcullis (OpenID Connect): the
//! organization's Applications tab, the consent page, the Account page's
//! list, and logging out at an application's request.

mod decide_consent;
mod delete_application;
mod end_session;
mod load_applications;
mod load_authorization;
mod load_logout;
mod my_applications;
mod regenerate_client_secret;
mod register_application;
mod revoke_application;
mod set_application_disabled;
mod update_application;

pub use decide_consent::*;
pub use delete_application::*;
pub use end_session::*;
pub use load_applications::*;
pub use load_authorization::*;
pub use load_logout::*;
pub use my_applications::*;
pub use regenerate_client_secret::*;
pub use register_application::*;
pub use revoke_application::*;
pub use set_application_disabled::*;
pub use update_application::*;

/// The gate of the Applications tab: a member of the organization who manages it.
#[cfg(feature = "ssr")]
async fn manager(
    slug: &str,
) -> Result<(crate::server::gate::request::OrgAccess, crate::server::flows::applications::Actor), crate::error::AppError>
{
    let access = crate::server::gate::request::org_access(slug).await?;
    use crate::policy::{may_manage, ManagerTask};
    may_manage(access.org.my_role, ManagerTask::ManageApplications)?;
    let actor = crate::server::flows::applications::Actor::Manager { org_id: access.org.id, user_id: access.user.id };
    Ok((access, actor))
}
