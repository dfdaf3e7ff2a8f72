//! The account's "Two-Factor Authentication" section: the toggle, the
//! enrollment dialog, and reveal / regenerate / disable once it is on.

mod codes;
mod enroll_button;
mod enroll_dialog;
mod manage;
mod section;
mod sms_manage;
mod sms_steps;

pub use enroll_button::EnrollButton;
pub use manage::KeyConfirmation;
pub use section::TwoFactorSection;
pub use sms_manage::TextMessagesSection;
