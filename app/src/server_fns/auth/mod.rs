mod current_user;
mod log_in;
mod log_out;
mod notice;
mod security_log;
mod sign_up;
mod verify_login;

pub use current_user::*;
pub use log_in::*;
pub use log_out::*;
pub use notice::*;
pub use security_log::*;
pub use sign_up::*;
pub use verify_login::*;
