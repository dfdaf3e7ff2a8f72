use leptos::prelude::*;

use crate::error::AppError;
use crate::model::SecondStepDone;

/// The second login step: a code from the app, a backup code when
/// `recovery` is set, or the texted code when `texted` is. Only now is the session created, with a fresh id.
/// `remember`: "Don't ask for a code on this browser for 30 days".
/// `next`: where to continue afterwards, a path on this site (an application's sign-in).
#[server(endpoint = "verify_login")]
pub async fn verify_login(
    code: String,
    #[server(default)] recovery: bool,
    #[server(default)] texted: bool,
    #[server(default)] remember: bool,
    #[server(default)] next: String,
) -> Result<SecondStepDone, AppError> {
    use crate::server::flows::account::{self, SecondStep};
    use crate::server::gate::request::{hand_out_session, pending_login_token, set_cookie, signing_in};
    use crate::server::store::pending_logins;

    let visit = signing_in()?;
    let pending_token = pending_login_token().ok_or(AppError::Unauthenticated)?;
    let done =
        account::verify_login(&visit.cx(), SecondStep { pending_token, code, recovery, texted, remember }).await?;
    set_cookie(&pending_logins::cookie(None, &visit.state.settings));
    hand_out_session(&visit.state, &done.session);
    let next = crate::oidc::redirect::local_path(&next);
    match (done.backup_codes_left, next) {
        // Not a page of this app: the hydrated page navigates there itself.
        (None, Some(next)) => crate::server_fns::plain_form::redirect_plain_form(next),
        (None, None) => leptos_axum::redirect("/"),
        // A form posted without JavaScript gets the count on a page of its own.
        (Some(left), next) => {
            let shown = format!("/login/two-factor?codes_left={left}");
            crate::server_fns::plain_form::redirect_plain_form(&match next {
                Some(next) => format!("{shown}&continue={}", crate::applications::encode_component(next)),
                None => shown,
            });
        }
    }
    Ok(SecondStepDone { backup_codes_left: done.backup_codes_left })
}
