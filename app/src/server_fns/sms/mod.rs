//! Text messages (SMS) as a second factor of the signed-in user's own
//! account, and the login step's "Send the code again".

mod check_sms_code;
mod finish_sms_enrollment;
mod remove_sms;
mod resend_sms_code;
mod send_login_sms;
mod set_preferred_method;
mod start_sms_enrollment;

pub use check_sms_code::*;
pub use finish_sms_enrollment::*;
pub use remove_sms::*;
pub use resend_sms_code::*;
pub use send_login_sms::*;
pub use set_preferred_method::*;
pub use start_sms_enrollment::*;

#[cfg(feature = "ssr")]
fn sent(sent: crate::server::flows::sms::Sent) -> crate::model::SmsSent {
    crate::model::SmsSent { masked: sent.masked, sent: sent.sent, resend_in_secs: sent.resend_in_secs }
}
