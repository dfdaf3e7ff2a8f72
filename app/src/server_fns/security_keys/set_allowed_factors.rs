use leptos::prelude::*;

use crate::error::AppError;

/// The Settings tab's "Allowed second factors" (a plain form): owners and
/// admins allow fewer kinds; allowing another kind is for owners, with their
/// `password` and a `code` from their app. At least one kind stays allowed.
#[server(endpoint = "set_allowed_factors")]
pub async fn set_allowed_factors(
    slug: String,
    #[server(default)] authenticator_app: bool,
    #[server(default)] security_keys: bool,
    #[server(default)] sms: bool,
    #[server(default)] password: String,
    #[server(default)] code: String,
) -> Result<(), AppError> {
    use crate::factors::{Kind, Kinds};
    use crate::server::flows::backup_codes::Reauthentication;
    use crate::server::flows::orgs;
    use crate::server::gate::request::org_access;

    let access = org_access(&slug).await?;
    let allowed = Kinds::NONE
        .with_if(Kind::App, authenticator_app)
        .with_if(Kind::SecurityKey, security_keys)
        .with_if(Kind::Sms, sms);
    let reauthentication = Reauthentication { password, code };
    orgs::set_allowed_factors(&access.cx(), access.in_org(), allowed, reauthentication).await?;
    crate::server_fns::plain_form::redirect_plain_form(&format!("/orgs/{}/settings", access.org.slug));
    Ok(())
}
