//! The one gate every route passes: who is asking (`request` for pages and
//! server functions, `api_auth` for REST), and whether an organization lets
//! them in (`guards::compliance::member_org`, the same check for both).

pub mod api_auth;
pub mod request;
