//! The account's "Two-Factor Authentication" section: the toggle, the
//! enrollment dialog, and reveal / regenerate / disable once it is on.

mod codes;
mod enroll_button;
mod enroll_dialog;
mod manage;
mod section;

pub use enroll_button::EnrollButton;
pub use manage::KeyConfirmation;
pub use section::TwoFactorSection;
