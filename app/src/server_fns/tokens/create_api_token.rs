use leptos::prelude::*;

use crate::api_access::NewSecret;
use crate::error::AppError;

/// "Generate token": a name, its scopes (one checkbox each), an expiry in
/// days (0: none), and re-authentication. The token is in the answer, once.
#[server(endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    #[server(default)] read: bool,
    #[server(default)] write: bool,
    #[server(default)] admin_org: bool,
    expires_in_days: i64,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<NewSecret, AppError> {
    use crate::api_access::Scope;
    use crate::server::flows::api_tokens::{self, NewToken};
    use crate::server::gate::request::session_access;

    let access = session_access().await?;
    let chosen = [(read, Scope::Read), (write, Scope::Write), (admin_org, Scope::AdminOrg)];
    let scopes = chosen.into_iter().filter(|(on, _)| *on).map(|(_, scope)| scope).collect();
    let input = NewToken { name, scopes, expires_in_days, password, code };
    api_tokens::create_token(&access.cx(), access.in_session(), input).await
}
