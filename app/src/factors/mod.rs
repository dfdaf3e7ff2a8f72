//! One model of second factors, pure (no database, no Leptos): the kinds of
//! factor an account can hold, how a session proved who it is, and whether
//! an account meets an organization's 2FA requirement at a given time.
//!
//! A new kind of factor (SMS, say) is one new `Kind` variant here and its
//! own storage module; the compiler then points at every `match` that must
//! say what the kind means (its table, its column, its words), and every
//! other place (the gate, REST, OpenID Connect, the Members tab) asks
//! `compliance::standing` and needs no change.

pub mod compliance;
pub mod proof;

pub use compliance::{standing, Account, OrgRule, Standing};
pub use proof::Proof;

use serde::{Deserialize, Serialize};

/// A kind of second factor an account can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An authenticator app (TOTP), with its backup codes.
    App,
    /// Security keys and passkeys (WebAuthn).
    SecurityKey,
    /// Codes texted to a verified phone number: the weakest we offer (NIST
    /// 800-63B calls it restricted), with the same backup codes as the app.
    Sms,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::App, Kind::SecurityKey, Kind::Sms];

    fn bit(self) -> u8 {
        match self {
            Kind::App => 1,
            Kind::SecurityKey => 2,
            Kind::Sms => 4,
        }
    }

    /// The kinds whose login step is a typed code (and whose backup codes are the account's).
    pub fn uses_codes(self) -> bool {
        matches!(self, Kind::App | Kind::Sms)
    }

    /// The kind `as_str` names, if any.
    pub fn named(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The stable name used in forms and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::App => "authenticator_app",
            Kind::SecurityKey => "security_keys",
            Kind::Sms => "sms",
        }
    }
}

/// A set of kinds: what an account holds, or what an organization allows.
/// On the wire, an object with one flag per kind (`{"authenticator_app": true, …}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Kinds(u8);

impl Serialize for Kinds {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(Kind::ALL.len()))?;
        for kind in Kind::ALL {
            map.serialize_entry(kind.as_str(), &self.contains(kind))?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Kinds {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let flags = std::collections::BTreeMap::<String, bool>::deserialize(deserializer)?;
        // A kind this build does not know is no factor of it.
        Ok(Kind::ALL
            .into_iter()
            .fold(Kinds::NONE, |kinds, kind| kinds.with_if(kind, flags.get(kind.as_str()).copied().unwrap_or(false))))
    }
}

impl Kinds {
    pub const NONE: Kinds = Kinds(0);
    pub const ALL: Kinds = Kinds(1 | 2 | 4);

    pub fn of(kinds: impl IntoIterator<Item = Kind>) -> Self {
        kinds.into_iter().fold(Self::NONE, Self::with)
    }

    #[must_use]
    pub fn with(self, kind: Kind) -> Self {
        Kinds(self.0 | kind.bit())
    }

    /// `kind` added when `on`.
    #[must_use]
    pub fn with_if(self, kind: Kind, on: bool) -> Self {
        if on {
            self.with(kind)
        } else {
            self
        }
    }

    pub fn contains(self, kind: Kind) -> bool {
        self.0 & kind.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 & Self::ALL.0 == 0
    }

    /// Some kind is in both sets.
    pub fn meets(self, other: Kinds) -> bool {
        self.0 & other.0 & Self::ALL.0 != 0
    }

    /// `self` has a kind that `before` did not.
    pub fn adds_to(self, before: Kinds) -> bool {
        self.0 & !before.0 & Self::ALL.0 != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Kind> {
        Kind::ALL.into_iter().filter(move |k| self.contains(*k))
    }
}

/// The second factors an account holds: its kinds, and how many security
/// keys (a key is removed one at a time; the last one is a factor's end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Held {
    pub kinds: Kinds,
    pub security_keys: i64,
}

impl Held {
    /// 2FA is on: the account holds some second factor.
    pub fn any(self) -> bool {
        !self.kinds.is_empty()
    }

    pub fn has(self, kind: Kind) -> bool {
        self.kinds.contains(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_is_found_by_the_name_it_goes_by_and_only_that() {
        for kind in Kind::ALL {
            assert_eq!(Kind::named(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::named("totp"), None);
        assert_eq!(Kind::named(""), None);
    }

    #[test]
    fn a_set_of_kinds_holds_what_was_put_in_it() {
        let app = Kinds::of([Kind::App]);
        assert!(app.contains(Kind::App) && !app.contains(Kind::SecurityKey));
        assert_eq!(Kinds::of(Kind::ALL), Kinds::ALL);
        assert!(Kinds::NONE.is_empty() && !app.is_empty());
        assert_eq!(Kinds::ALL.iter().collect::<Vec<_>>(), Kind::ALL.to_vec());
    }

    #[test]
    fn allowing_a_kind_not_allowed_before_adds_to_the_set() {
        let app = Kinds::of([Kind::App]);
        assert!(Kinds::ALL.adds_to(app));
        assert!(!app.adds_to(Kinds::ALL), "fewer kinds add nothing");
        assert!(!app.adds_to(app));
        assert!(app.meets(Kinds::ALL) && !app.meets(Kinds::of([Kind::SecurityKey])));
    }

    #[test]
    fn the_set_travels_as_one_flag_per_kind_and_ignores_unknown_kinds() {
        let json = serde_json::to_string(&Kinds::of([Kind::SecurityKey])).unwrap();
        assert_eq!(json, r#"{"authenticator_app":false,"security_keys":true,"sms":false}"#);
        let back: Kinds = serde_json::from_str(&json).unwrap();
        assert_eq!(back, Kinds::of([Kind::SecurityKey]));
        let future: Kinds = serde_json::from_str(r#"{"carrier_pigeon":true}"#).unwrap();
        assert!(future.is_empty(), "a kind this build does not know is no factor");
    }
}
