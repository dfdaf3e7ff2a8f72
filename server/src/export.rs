//! REST: `GET /orgs/{slug}/members.csv`, the Members tab's "Export CSV".
//! It passes the same organization gate as every server function.

use std::fmt::Write as _;

use app::error::AppError;
use app::policy::{self, ManagerTask};
use app::server::flows::{members, Ctx, InOrg};
use app::server::gate::request::member_access;
use app::server::store::events::RequestMeta;
use app::server::{store::sessions, AppState};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap};

pub async fn members_csv(State(state): State<AppState>, Path(slug): Path<String>, headers: HeaderMap) -> Response {
    match export(&state, &slug, &headers).await {
        Ok((filename, csv)) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
            ],
            csv,
        )
            .into_response(),
        Err(err) => crate::middleware::error_response(&err),
    }
}

async fn export(state: &AppState, slug: &str, headers: &HeaderMap) -> Result<(String, String), AppError> {
    let token = sessions::token_from_headers(headers, sessions::COOKIE_NAME);
    let (user, org) = member_access(state, token.as_deref(), slug).await?;
    policy::may_manage(org.my_role, ManagerTask::ExportMembers)?;
    let meta = RequestMeta::default();
    let in_org = InOrg { user: &user, org: &org, session_hash: None };
    let mut csv = String::from("name,email,role,two_factor\r\n");
    for m in members::list(&Ctx::new(state, &meta), in_org).await? {
        let two_factor = if m.two_factor == Some(true) { "enabled" } else { "disabled" };
        let _ = write!(
            csv,
            "{},{},{},{}\r\n",
            field(&m.name),
            field(m.email.as_deref().unwrap_or_default()),
            m.role.as_str(),
            two_factor
        );
    }
    Ok((format!("{}-members.csv", org.slug), csv))
}

/// Quotes a CSV field, and defuses spreadsheet formulas (a name like "=HYPERLINK(…)").
fn field(value: &str) -> String {
    let value =
        if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_string() };
    format!("\"{}\"", value.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(super::field("Ann \"A\" Lee"), "\"Ann \"\"A\"\" Lee\"");
        assert_eq!(super::field("=1+1"), "\"'=1+1\"");
    }
}
