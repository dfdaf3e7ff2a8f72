use leptos::prelude::*;

use crate::error::AppError;

/// "Connect" a provider, after re-authentication (the password, and a code
/// with 2FA on). Answers the provider's URL; a plain form goes on through
/// `/login/upstream/continue`, which sends the browser there.
#[server(endpoint = "connect_provider")]
pub async fn connect_provider(
    provider_id: i64,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<String, AppError> {
    use crate::server::flows::reauthentication::Reauthentication;
    use crate::server::flows::upstream::{self, request_cookie};
    use crate::server::gate::request::{session_access, set_cookie};
    use crate::server_fns::plain_form::redirect_plain_form;

    let access = session_access().await?;
    let proof = Reauthentication { password, code };
    let started = upstream::start_connect(&access.cx(), access.in_session(), provider_id, proof).await?;
    set_cookie(&request_cookie(Some(&started.cookie), &access.state.settings));
    redirect_plain_form("/login/upstream/continue");
    Ok(started.url)
}
