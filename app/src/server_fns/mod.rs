//! Server functions, one file each, grouped by domain. They stay thin: check
//! input, call into `crate::server`, and return `AppError`, whose code the router turns into the HTTP status.

pub mod account;
pub mod applications;
pub mod auth;
pub mod invitations;
pub mod orgs;
#[cfg(feature = "ssr")]
pub(crate) mod plain_form;
pub mod security_keys;
pub mod sms;
pub mod tokens;
pub mod twofactor;
pub mod upstream;
