use leptos::prelude::*;

use crate::error::AppError;
use crate::model::LoginOutcome;

/// Password login. With 2FA on, the password only opens the second step.
/// `next`: where to continue afterwards, a path on this site (an application's sign-in).
#[server(endpoint = "log_in")]
pub async fn log_in(
    email: String,
    password: String,
    #[server(default)] next: String,
) -> Result<LoginOutcome, AppError> {
    use crate::server::flows::account::{self, Credentials, LoginStep};
    use crate::server::gate::request::{clear_session_cookie, hand_out_session, session_token, set_cookie, signing_in};
    use crate::server::store::pending_logins;

    let next = crate::oidc::redirect::local_path(&next).map(str::to_string);
    let visit = signing_in()?;
    let previous = session_token();
    let code_required = match &next {
        Some(next) => {
            let binding = crate::server::gate::request::authorization_cookies().binding;
            let cx = visit.cx();
            crate::server::flows::oidc::authorize::continuation_asks_for_code(&cx, next, binding.as_deref()).await?
        }
        None => false,
    };
    let credentials = Credentials { email, password, code_required };
    let step = account::log_in(&visit.cx(), previous.as_deref(), credentials).await?;
    if previous.is_some() {
        clear_session_cookie(&visit.state);
    }
    match step {
        LoginStep::SecondFactor { pending_token } => {
            set_cookie(&pending_logins::cookie(Some(&pending_token), &visit.state.settings));
            match &next {
                Some(next) => leptos_axum::redirect(&format!(
                    "/login/two-factor?continue={}",
                    crate::applications::encode_component(next)
                )),
                None => leptos_axum::redirect("/login/two-factor"),
            }
            Ok(LoginOutcome::SecondFactorRequired)
        }
        LoginStep::SignedIn { user, session } => {
            hand_out_session(&visit.state, &session);
            match &next {
                // Not a page of this app: the hydrated login page navigates there itself.
                Some(next) => crate::server_fns::plain_form::redirect_plain_form(next),
                None => leptos_axum::redirect("/"),
            }
            Ok(LoginOutcome::LoggedIn(user))
        }
    }
}
