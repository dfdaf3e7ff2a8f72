use leptos::prelude::*;

use crate::error::AppError;

/// "Allow" (remembered for this application and these scopes, in the
/// security log) or "Deny". Answers, and redirects to, the path on this site
/// that continues: it issues the code, or tells the application `access_denied`.
#[server(endpoint = "decide_consent")]
pub async fn decide_consent(request: String, #[server(default)] allow: bool) -> Result<String, AppError> {
    use crate::server::flows::oidc::authorize;
    use crate::server::gate::request::authorization_cookies;

    let visit = crate::server::gate::request::visit()?;
    let cx = visit.cx();
    let next = authorize::consent(&cx, &request, &authorization_cookies(), allow).await?;
    crate::server_fns::plain_form::redirect_plain_form(&next);
    Ok(next)
}
