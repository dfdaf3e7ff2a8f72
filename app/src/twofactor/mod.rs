//! Two-factor domain logic: plain Rust, no Leptos, no database.
//! One small module per concern, in the spirit of "one module per factor".

pub mod backup_codes;
pub mod lockout;
pub mod qr;
pub mod secret_box;
pub mod sms;
pub mod totp;

/// Which one-time code a check accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    /// A code from the authenticator app.
    Totp,
    /// A backup code ("Use a recovery code").
    BackupCode,
    /// Either, whichever the input looks like.
    Either,
    /// The code texted for this login (or this enrollment).
    Sms,
}
