//! Other identity providers: the login page's buttons, and connecting,
//! disconnecting and removing the password on the Account page.

mod connect_provider;
mod connected_accounts;
mod disconnect_provider;
mod login_providers;
mod remove_password;

pub use connect_provider::*;
pub use connected_accounts::*;
pub use disconnect_provider::*;
pub use login_providers::*;
pub use remove_password::*;
