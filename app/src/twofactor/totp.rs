//! TOTP (RFC 6238) for authenticator apps: SHA-1, 6 digits, 30-second steps,
//! which is what every common app (Google Authenticator, Authy, 1Password,
//! Microsoft Authenticator) supports.

use rand::RngCore;
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, TOTP};

pub const ISSUER: &str = "Portcullis";
pub const DIGITS: usize = 6;
pub const STEP_SECS: u64 = 30;
/// Steps accepted either side of now, for phones whose clock drifts a little.
pub const DRIFT_STEPS: i64 = 1;
pub const SECRET_BYTES: usize = 20;

/// A TOTP shared secret. Its `Debug` never prints the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    /// 160 random bits from the operating system.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Reads a base32 key as shown to people (any case, spaces allowed).
    pub fn from_base32(text: &str) -> Option<Self> {
        base32_decode(text).map(Self)
    }

    /// RFC 4648 base32 without padding, as authenticator apps expect.
    pub fn base32(&self) -> String {
        base32_encode(&self.0)
    }

    /// The base32 key in groups of four, for typing into a phone by hand.
    pub fn grouped(&self) -> String {
        let b32 = self.base32();
        b32.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
    }

    /// The `otpauth://` URI the QR code carries.
    pub fn otpauth_uri(&self, account: &str) -> String {
        format!(
            "otpauth://totp/{ISSUER}:{}?secret={}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
            uri_escape(account),
            self.base32()
        )
    }

    fn totp(&self, digits: usize) -> TOTP {
        // `new_unchecked`: we control the secret's length (160 bits); the
        // checked constructor refuses the 8-digit RFC vectors' settings too.
        TOTP::new_unchecked(Algorithm::SHA1, digits, 0, STEP_SECS, self.0.clone())
    }

    /// The code for a time step, with `digits` digits (6 in production).
    pub fn code_at_step(&self, step: i64, digits: usize) -> String {
        self.totp(digits).generate((step.max(0) as u64) * STEP_SECS)
    }
}

pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS as i64)
}

/// Accepts exactly six ASCII digits after removing spaces (apps show "123 456").
pub fn normalize_code(raw: &str) -> Option<String> {
    let code: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// The time step whose code equals `code` within the drift window, if any.
/// Every candidate is compared in constant time, and all are compared.
pub fn matching_step(secret: &TotpSecret, code: &str, now: i64) -> Option<i64> {
    let now_step = step_of(now);
    let mut found = None;
    for step in (now_step - DRIFT_STEPS)..=(now_step + DRIFT_STEPS) {
        let expected = secret.code_at_step(step, DIGITS);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) {
            // Prefer the latest matching step, so replay protection is strictest.
            found = Some(step);
        }
    }
    found
}

/// How far a refused code's clock may be looked for: ten minutes either side.
pub const SKEW_STEPS: i64 = 20;

/// A refused code, looked for outside the drift window but within ten
/// minutes: the steps between now and the step whose code it is (positive:
/// the device is ahead). Only to say why a code was refused; such a code is
/// never accepted. The nearest step wins; every candidate is compared.
pub fn skew_of(secret: &TotpSecret, code: &str, now: i64) -> Option<i64> {
    let now_step = step_of(now);
    let mut found: Option<i64> = None;
    for offset in -SKEW_STEPS..=SKEW_STEPS {
        if offset.abs() <= DRIFT_STEPS {
            continue;
        }
        let expected = secret.code_at_step(now_step + offset, DIGITS);
        let nearer = found.is_none_or(|f| offset.abs() < f.abs());
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && nearer {
            found = Some(offset);
        }
    }
    found
}

/// What a person may be told of a skew. A code of a past step never becomes
/// valid again, so "your clock is behind" gives nothing away; a code of a
/// future step does, so at login it is only said when `reveal_ahead` (the
/// enrollment, whose session holds the secret anyway).
pub fn sayable_skew(offset_steps: i64, reveal_ahead: bool) -> Option<i64> {
    (offset_steps < 0 || reveal_ahead).then_some(offset_steps)
}

/// Whole minutes of a skew in steps, never 0 (a skew is over a minute by construction).
pub fn skew_minutes(offset_steps: i64) -> i64 {
    let secs = offset_steps * STEP_SECS as i64;
    let minutes = (secs.abs() + 30) / 60;
    minutes.max(1) * secs.signum()
}

fn base32_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u32 - 'A' as u32,
            c @ '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

/// Percent-encodes the account label: everything but unreserved characters and '@'.
fn uri_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_from_a_clock_minutes_off_is_refused_but_its_skew_is_found() {
        let secret = TotpSecret::from_bytes(vec![7; 20]);
        let now = 1_800_000_000;
        let behind = secret.code_at_step(step_of(now) - 10, DIGITS);
        assert_eq!(matching_step(&secret, &behind, now), None, "five minutes behind is refused");
        assert_eq!(skew_of(&secret, &behind, now), Some(-10));
        assert_eq!(skew_minutes(-10), -5);
        let ahead = secret.code_at_step(step_of(now) + 4, DIGITS);
        assert_eq!(skew_of(&secret, &ahead, now), Some(4));
        assert_eq!(skew_minutes(3), 2, "90 s rounds to two minutes");
        let current = secret.code_at_step(step_of(now), DIGITS);
        assert_eq!(skew_of(&secret, &current, now), None, "inside the drift window: no skew");
        let far = secret.code_at_step(step_of(now) - 21, DIGITS);
        assert_eq!(skew_of(&secret, &far, now), None, "beyond ten minutes nothing is said");
    }

    #[test]
    fn a_future_codes_skew_is_told_only_to_a_session_holding_the_secret() {
        assert_eq!(sayable_skew(-10, false), Some(-10), "a past step is never valid again");
        assert_eq!(sayable_skew(4, false), None, "a future step would become valid: not at login");
        assert_eq!(sayable_skew(4, true), Some(4), "the enrollment's own secret");
    }

    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec())
    }

    /// RFC 6238 Appendix B, SHA-1 rows (8 digits).
    #[test]
    fn rfc6238_appendix_b_sha1_vectors() {
        let vectors = [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ];
        for (time, expected) in vectors {
            assert_eq!(rfc_secret().code_at_step(step_of(time), 8), expected, "T = {time}");
        }
    }

    #[test]
    fn six_digits_are_the_last_six_of_the_truncation() {
        // Dynamic truncation mod 10^6 of the same values.
        assert_eq!(rfc_secret().code_at_step(step_of(59), 6), "287082");
        assert_eq!(rfc_secret().code_at_step(step_of(1111111109), 6), "081804");
    }

    #[test]
    fn drift_window_is_one_step_each_way() {
        let s = rfc_secret();
        let now = 1_700_000_000;
        let step = step_of(now);
        for (offset, accepted) in [(-2, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = s.code_at_step(step + offset, 6);
            assert_eq!(matching_step(&s, &code, now) == Some(step + offset), accepted, "offset {offset}");
        }
        assert_eq!(
            matching_step(&s, "000000", now).is_some(),
            [-1, 0, 1].iter().any(|o| s.code_at_step(step + o, 6) == "000000")
        );
    }

    #[test]
    fn codes_are_normalised_strictly() {
        assert_eq!(normalize_code(" 123 456 ").as_deref(), Some("123456"));
        for bad in ["12345", "1234567", "12345a", "１２３４５６", ""] {
            assert_eq!(normalize_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn secrets_are_160_random_bits_in_base32() {
        let (a, b) = (TotpSecret::generate(), TotpSecret::generate());
        assert_ne!(a, b);
        assert_eq!(a.as_bytes().len(), 20);
        assert_eq!(a.base32().len(), 32);
        assert_eq!(a.grouped().split(' ').count(), 8);
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(TotpSecret::from_base32(&a.grouped().to_lowercase()), Some(a.clone()));
        assert!(!format!("{a:?}").contains(&a.base32()));
    }

    #[test]
    fn otpauth_uri_has_every_parameter() {
        let s = rfc_secret();
        assert_eq!(
            s.otpauth_uri("alice+x@example.com"),
            format!("otpauth://totp/Portcullis:alice%2Bx@example.com?secret={}&issuer=Portcullis&algorithm=SHA1&digits=6&period=30", s.base32())
        );
    }
}
