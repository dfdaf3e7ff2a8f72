//! Two-factor domain logic: plain Rust, no Leptos, no database.
//! One small module per concern, in the spirit of "one module per factor".

pub mod backup_codes;
pub mod lockout;
pub mod qr;
pub mod secret_box;
pub mod totp;
