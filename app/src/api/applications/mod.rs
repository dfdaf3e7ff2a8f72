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

/// Sends a plain form post (before hydration, or without JavaScript) on to
/// `path` with a 302. Hydrated pages get the path as the answer and navigate
/// there themselves with a full page load: the continuation is no page of
/// this app, so the router must not handle it.
#[cfg(feature = "ssr")]
pub(crate) fn redirect_plain_form(path: &str) {
    let parts = leptos::prelude::use_context::<http::request::Parts>();
    let accept = parts.as_ref().and_then(|p| p.headers.get(http::header::ACCEPT)).and_then(|v| v.to_str().ok());
    if accept.is_some_and(|a| a.contains("text/html")) {
        leptos_axum::redirect(path);
    }
}

/// The gate of the Applications tab: a member of the organization who manages it.
#[cfg(feature = "ssr")]
async fn manager(
    slug: &str,
) -> Result<(crate::server::request::OrgAccess, crate::server::oidc::manage::Actor), crate::error::AppError> {
    let access = crate::server::request::org_access(slug).await?;
    use crate::policy::{may_manage, ManagerTask};
    may_manage(access.org.my_role, ManagerTask::ManageApplications)?;
    let actor = crate::server::oidc::manage::Actor::Manager { org_id: access.org.id, user_id: access.user.id };
    Ok((access, actor))
}
