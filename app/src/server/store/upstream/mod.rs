//! Other identity providers people sign in through: the operator's list of
//! them, and the identities accounts hold there.

pub mod identities;
pub mod providers;
