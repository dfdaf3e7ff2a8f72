pub mod api_tokens;
pub mod applications;
pub mod copyable;
pub mod forms;
pub mod invitations;
pub mod log_table;
pub mod nav;
pub mod two_factor;
