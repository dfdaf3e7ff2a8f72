//! Server functions, one file each, grouped by domain. They stay thin: check
//! input, call into `crate::server`, and answer with `respond` for the status.

pub mod auth;
pub mod orgs;
