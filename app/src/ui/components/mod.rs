pub mod account_settings;
pub mod api_tokens;
pub mod applications;
pub mod browser;
pub mod call;
pub mod connected_accounts;
pub mod copyable;
pub mod forms;
pub mod invitations;
#[cfg(feature = "hydrate")]
mod kept_form;
pub mod log_table;
pub mod nav;
pub mod remembered_browsers;
pub mod security_keys;
pub mod two_factor;
