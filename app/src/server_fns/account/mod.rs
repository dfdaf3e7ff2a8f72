//! The signed-in person's own account: its address, password and sessions;
//! and the pages behind the links mailed to it (verify, reset).

mod change_email;
mod change_password;
mod forget_browser;
mod forgot_password;
mod load_browser_settings;
mod load_email_status;
mod load_reset_form;
mod my_sessions;
mod resend_verification;
mod reset_password;
mod set_new_browser_mail;
mod sign_out_everywhere_else;
mod sign_out_session;
mod verify_email;

pub use change_email::*;
pub use change_password::*;
pub use forget_browser::*;
pub use forgot_password::*;
pub use load_browser_settings::*;
pub use load_email_status::*;
pub use load_reset_form::*;
pub use my_sessions::*;
pub use resend_verification::*;
pub use reset_password::*;
pub use set_new_browser_mail::*;
pub use sign_out_everywhere_else::*;
pub use sign_out_session::*;
pub use verify_email::*;
