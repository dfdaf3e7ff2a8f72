//! The Account page's "Personal access tokens" and "Application passwords".

mod api_credentials;
mod create_api_token;
mod create_app_password;
mod revoke_api_credential;
mod set_api_access;

pub use api_credentials::*;
pub use create_api_token::*;
pub use create_app_password::*;
pub use revoke_api_credential::*;
pub use set_api_access::*;
