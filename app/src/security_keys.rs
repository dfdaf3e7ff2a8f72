//! Security keys and passkeys as the browser may see them: names, dates and
//! kinds, never the public key or the counter.

use serde::{Deserialize, Serialize};

/// What kind of authenticator holds a key, as it told us (WebAuthn's
/// backup-eligible and backed-up flags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// Bound to one device (a hardware token, a laptop's chip).
    SecurityKey,
    /// May be synced between devices, and is not (yet).
    Passkey,
    /// Synced by a password manager or a phone's cloud account.
    SyncedPasskey,
}

impl KeyKind {
    pub fn from_flags(backup_eligible: bool, backed_up: bool) -> Self {
        match (backup_eligible, backed_up) {
            (false, _) => Self::SecurityKey,
            (true, false) => Self::Passkey,
            (true, true) => Self::SyncedPasskey,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::SecurityKey => "Security key",
            Self::Passkey => "Passkey",
            Self::SyncedPasskey => "Passkey (synced)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityKey {
    pub id: i64,
    pub name: String,
    pub kind: KeyKind,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The Account page's section: the keys, and whether the server can use them at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityKeys {
    /// False when `PORTCULLIS_PUBLIC_URL` is unset or names no domain: WebAuthn is off.
    pub available: bool,
    /// The origin WebAuthn works on (`https://id.example.com`), when available.
    pub origin: Option<String>,
    pub keys: Vec<SecurityKey>,
    /// The account has the authenticator app: adding a key asks for its code.
    pub authenticator_app: bool,
}

/// What the login pages offer: passkeys at all (WebAuthn on), and at the
/// second step the pending login's own methods.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginMethods {
    pub webauthn: bool,
    pub authenticator_app: bool,
    pub security_keys: bool,
    /// Text messages: where the code goes, and whether it was sent.
    #[serde(default)]
    pub sms: Option<crate::model::SmsSent>,
    /// The texted code is the method asked for first.
    #[serde(default)]
    pub texts_first: bool,
}

/// A key's name: what "Add a security key" and "Rename" accept.
pub const NAME_MAX: usize = 64;

pub fn validate_name(raw: &str) -> Result<String, crate::error::AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(crate::error::AppError::validation("name", "Give the key a name, like \"YubiKey\" or \"Laptop\"."));
    }
    if name.chars().count() > NAME_MAX {
        return Err(crate::error::AppError::validation(
            "name",
            format!("A key's name has at most {NAME_MAX} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(crate::error::AppError::validation("name", "A key's name cannot contain control characters."));
    }
    Ok(name.to_string())
}

/// A ceremony the browser carries out: its id (sent back with the answer) and
/// the options for `navigator.credentials.create` / `get`, as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyCeremony {
    pub ceremony: String,
    pub options: serde_json::Value,
}

/// "Add a security key" done: the key, and the backup codes when it turned 2FA on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyAdded {
    pub key: SecurityKey,
    pub backup_codes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flags_name_the_kind() {
        assert_eq!(KeyKind::from_flags(false, false), KeyKind::SecurityKey);
        assert_eq!(KeyKind::from_flags(true, false), KeyKind::Passkey);
        assert_eq!(KeyKind::from_flags(true, true).label(), "Passkey (synced)");
    }

    #[test]
    fn a_name_is_trimmed_and_bounded() {
        assert_eq!(validate_name("  YubiKey ").unwrap(), "YubiKey");
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"x".repeat(NAME_MAX + 1)).is_err());
        assert!(validate_name("a\u{0}b").is_err());
    }
}
