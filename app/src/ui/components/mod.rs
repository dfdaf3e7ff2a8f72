pub mod forms;
pub mod nav;
pub mod two_factor;
