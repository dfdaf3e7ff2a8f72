use leptos::prelude::*;

use crate::error::AppError;

/// An owner's or admin's reset of a member's 2FA (a lost phone), with the
/// actor's password and a current second factor.
#[server(endpoint = "reset_member_two_factor")]
pub async fn reset_member_two_factor(
    slug: String,
    user_id: i64,
    password: String,
    code: String,
) -> Result<(), AppError> {
    use crate::server::flows::backup_codes::Reauthentication;
    use crate::server::flows::member_reset;
    use crate::server::gate::request::org_access;

    let access = org_access(&slug).await?;
    member_reset::reset(&access.cx(), access.in_org(), user_id, Reauthentication { password, code }).await
}
