use leptos::prelude::*;

use crate::error::AppError;
use crate::model::LoginOutcome;

/// Password login. With 2FA on, the password only opens the second step.
#[server(endpoint = "log_in")]
pub async fn log_in(email: String, password: String) -> Result<LoginOutcome, AppError> {
    use crate::server::flows::account::{self, Credentials, LoginStep};
    use crate::server::pending_logins;
    use crate::server::request::{clear_session_cookie, hand_out_session, session_token, set_cookie, visit};

    let visit = visit()?;
    let previous = session_token();
    let step = account::log_in(&visit.cx(), previous.as_deref(), Credentials { email, password }).await?;
    if previous.is_some() {
        clear_session_cookie(&visit.state);
    }
    match step {
        LoginStep::SecondFactor { pending_token } => {
            set_cookie(&pending_logins::cookie(Some(&pending_token), &visit.state.settings));
            leptos_axum::redirect("/login/two-factor");
            Ok(LoginOutcome::SecondFactorRequired)
        }
        LoginStep::SignedIn { user, session } => {
            hand_out_session(&visit.state, &session);
            leptos_axum::redirect("/");
            Ok(LoginOutcome::LoggedIn(user))
        }
    }
}
