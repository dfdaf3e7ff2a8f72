mod account;
mod account_recovery;
mod app_card;
mod app_edit;
mod auth_forms;
mod home;
mod member_row;
mod not_found;
mod oidc_authorize;
mod oidc_logout;
mod org_access_switches;
mod org_api_access;
mod org_applications;
mod org_members;
mod org_membership;
mod org_requirement;
mod org_settings;
mod orgs_new;
mod two_factor_login;

pub use account::AccountPage;
pub use account_recovery::{ForgotPasswordPage, ResetPasswordPage, VerifyEmailPage};
pub use auth_forms::{LoginPage, SignupPage};
pub use home::HomePage;
pub use not_found::NotFound;
pub use oidc_authorize::AuthorizationPage;
pub use oidc_logout::LogoutPage;
pub use org_applications::OrgApplicationsPage;
pub use org_members::OrgMembersPage;
pub use org_settings::{OrgSettingsPage, SettingsSection};
pub use orgs_new::NewOrgPage;
pub use two_factor_login::TwoFactorLoginPage;

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::model::User;
use crate::ui::auth::Auth;
use crate::ui::components::forms::LoadError;

/// The signed-in user, or the view to show instead (a redirect to "Log In").
/// Pages with resources of their own await this and them in one Suspend.
pub async fn signed_in_user(auth: Auth) -> Result<User, AnyView> {
    match auth.user.await {
        Ok(Some(user)) => Ok(user),
        Ok(None) => Err(view! { <Redirect path="/login" /> }.into_any()),
        Err(e) => Err(view! { <LoadError error=e /> }.into_any()),
    }
}

/// Renders `children` with the signed-in user, or sends a guest to "Log In".
#[component]
pub fn RequireUser<V: IntoView + 'static>(children: impl Fn(User) -> V + Send + Sync + 'static) -> impl IntoView {
    let auth = expect_context::<Auth>();
    let children = std::sync::Arc::new(children);
    view! {
        <Suspense fallback=|| {
            view! { <p class="loading">"Loading…"</p> }
        }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(user)) => children(user).into_any(),
                        Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                        Err(e) => view! { <LoadError error=e /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
