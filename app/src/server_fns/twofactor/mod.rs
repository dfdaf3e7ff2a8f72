//! Two-factor authentication of the signed-in user's own account.

mod cancel_enrollment;
mod check_enrollment_code;
mod disable_two_factor;
mod finish_enrollment;
mod regenerate_codes;
mod reveal_codes;
mod start_enrollment;
mod two_factor_status;

pub use cancel_enrollment::*;
pub use check_enrollment_code::*;
pub use disable_two_factor::*;
pub use finish_enrollment::*;
pub use regenerate_codes::*;
pub use reveal_codes::*;
pub use start_enrollment::*;
pub use two_factor_status::*;
