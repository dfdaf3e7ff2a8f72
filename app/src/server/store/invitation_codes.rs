//! The one-time code an invitation is accepted with. An email address that
//! nobody verified proves nothing: whoever signed up with it first would
//! otherwise join with the invited role. The inviter is shown the code once
//! and passes it on; only a keyed hash is stored.

use subtle::ConstantTimeEq;

use crate::twofactor::secret_box::Keys;

/// Crockford's base 32: no I, L, O or U, so nothing is mistaken for 1 or 0 when copied by hand.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const LENGTH: usize = 12;
/// Wrong codes an invitation takes before it is voided (60 bits are not guessed in five).
pub const MAX_FAILURES: i64 = 5;

/// A new code, grouped for reading: `7K3Q-XW9D-2MFA` (60 random bits).
pub fn generate() -> String {
    let bytes: [u8; LENGTH] = rand::random();
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[usize::from(b % 32)] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The code as typed, without spaces and dashes, in capitals; `None` when it cannot be one.
pub fn normalize(raw: &str) -> Option<String> {
    let code: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
    (code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

pub fn hash(keys: &Keys, normalized: &str) -> String {
    keys.lookup_hash(&format!("invitation-code:{normalized}"))
}

/// Whether `normalized` is the code behind `stored` (under the current or a previous key).
pub fn matches(keys: &Keys, normalized: &str, stored: Option<&str>) -> bool {
    let Some(stored) = stored else { return false };
    keys.lookup_hashes(&format!("invitation-code:{normalized}"))
        .iter()
        .any(|candidate| bool::from(candidate.as_bytes().ct_eq(stored.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_in_groups_and_is_typed_back_however_spaced() {
        let code = generate();
        assert_eq!(code.len(), 14, "{code}");
        assert_eq!(code.matches('-').count(), 2);
        let normalized = normalize(&format!(" {} ", code.to_lowercase().replace('-', " "))).unwrap();
        assert_eq!(normalized, code.replace('-', ""));
        assert_ne!(generate(), code);
        assert_eq!(normalize("ABCD-EFGH-JKM"), None, "too short");
        assert_eq!(normalize("ABCD-EFGH-JKMU"), None, "not in the alphabet");
    }

    #[test]
    fn only_the_right_code_matches_its_hash() {
        let keys = Keys::new(&[9; 32]);
        let code = normalize(&generate()).unwrap();
        let stored = hash(&keys, &code);
        assert!(!stored.contains(&code));
        assert!(matches(&keys, &code, Some(&stored)));
        assert!(!matches(&keys, &normalize(&generate()).unwrap(), Some(&stored)));
        assert!(!matches(&keys, &code, None), "an invitation from before codes needs a new one");
        let rotated = Keys::with_previous(&[8; 32], &[[9; 32]]);
        assert!(matches(&rotated, &code, Some(&stored)), "found under the previous key");
    }
}
