//! Security keys and passkeys as stored (`keys`), and the ceremonies in progress (`ceremonies`).

pub mod ceremonies;
pub mod keys;
