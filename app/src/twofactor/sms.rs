//! Text-message codes (the Terraform-Cloud-style seed's "SMS-enabled phone
//! number"): the number, parsed with libphonenumber's data into E.164 and
//! shown masked, limited to the countries the operator allows; and the
//! 6-digit code, random, kept only as a keyed hash, compared in constant time.

use rand::Rng;
use subtle::ConstantTimeEq;

use super::secret_box::Keys;

/// How long a texted code may be used.
pub const CODE_SECS: i64 = 5 * 60;
/// How long before "Send the code again".
pub const RESEND_SECS: i64 = 60;
const DIGITS: usize = 6;

/// A number in E.164 (`+14155550123`), valid by libphonenumber's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    e164: String,
    /// ISO 3166 alpha-2, where the number's prefix names one country.
    country: Option<String>,
}

/// Why a typed number cannot receive codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneError {
    /// Not a phone number (or no country code: it must start with `+`).
    Malformed,
    /// A number, but no valid one in its country's numbering plan.
    Invalid,
    /// The operator sends no codes there (`--sms-allowed-countries`).
    CountryNotAllowed { country: String },
}

/// `--sms-allowed-countries DE,FR,US`; empty: everywhere.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedCountries(Vec<String>);

impl AllowedCountries {
    /// The operator's list: ISO codes separated by commas or spaces; `None` names a bad one.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut codes = Vec::new();
        for code in list.split([',', ' ']).map(str::trim).filter(|c| !c.is_empty()) {
            let code = code.to_ascii_uppercase();
            if code.parse::<phonenumber::country::Id>().is_err() {
                return Err(code);
            }
            codes.push(code);
        }
        Ok(Self(codes))
    }

    fn allows(&self, country: Option<&str>) -> bool {
        self.0.is_empty() || country.is_some_and(|c| self.0.iter().any(|a| a == c))
    }
}

impl PhoneNumber {
    /// What a person typed (`+1 415 555 0123`, `+49 (0)30 1234567`), in
    /// international form: without a country code there is no telling
    /// which country a national number belongs to.
    pub fn parse(typed: &str, allowed: &AllowedCountries) -> Result<Self, PhoneError> {
        let typed = typed.trim();
        if !typed.starts_with('+') || typed.len() > 32 {
            return Err(PhoneError::Malformed);
        }
        let number = phonenumber::parse(None, typed).map_err(|_| PhoneError::Malformed)?;
        if !phonenumber::is_valid(&number) {
            return Err(PhoneError::Invalid);
        }
        let country = number.country().id().map(|id| format!("{id:?}"));
        if !allowed.allows(country.as_deref()) {
            return Err(PhoneError::CountryNotAllowed { country: country.unwrap_or_else(|| "this region".into()) });
        }
        Ok(Self { e164: number.format().mode(phonenumber::Mode::E164).to_string(), country })
    }

    /// A number read back from the database (stored in E.164 by `parse`).
    pub fn from_stored(e164: &str) -> Self {
        let country = phonenumber::parse(None, e164).ok().and_then(|n| n.country().id()).map(|id| format!("{id:?}"));
        Self { e164: e164.to_string(), country }
    }

    pub fn e164(&self) -> &str {
        &self.e164
    }

    pub fn country(&self) -> Option<&str> {
        self.country.as_deref()
    }

    /// `+1 ••• ••• 12 34`: the country code and the last four digits only.
    pub fn masked(&self) -> String {
        let code_len = phonenumber::parse(None, &self.e164).map(|n| n.code().value().to_string().len()).unwrap_or(1);
        let digits: Vec<char> = self.e164.chars().filter(char::is_ascii_digit).collect();
        let (code, rest) = digits.split_at(code_len.min(digits.len()));
        let last: String = rest.iter().rev().take(4).rev().collect();
        let (a, b) = last.split_at(last.len().saturating_sub(2));
        format!("+{} ••• ••• {a} {b}", code.iter().collect::<String>())
    }
}

/// A new 6-digit code, uniformly random.
pub fn new_code() -> String {
    let n: u32 = rand::rngs::OsRng.gen_range(0..1_000_000);
    format!("{n:0DIGITS$}")
}

/// What a person typed, as the 6 digits it stands for (spaces and hyphens ignored).
pub fn normalize(typed: &str) -> Option<String> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    (digits.len() == DIGITS && digits.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// The stored form: a keyed hash under the server's key, bound to the
/// account and to what the code may open (a pending login, an enrollment),
/// so a database alone gives no code away and a code opens nothing else.
pub fn code_hash(keys: &Keys, user_id: i64, binding: &str, code: &str) -> String {
    keys.lookup_hash(&subject(user_id, binding, code))
}

fn subject(user_id: i64, binding: &str, code: &str) -> String {
    format!("sms-code:{user_id}:{binding}:{code}")
}

/// The typed code against the stored hash, in constant time (under every
/// key of a rotation: a code sent just before it still works).
pub fn matches(keys: &Keys, user_id: i64, binding: &str, typed: &str, stored: &str) -> bool {
    let Some(code) = normalize(typed) else { return false };
    keys.lookup_hashes(&subject(user_id, binding, &code))
        .iter()
        .fold(false, |found, hash| found | bool::from(hash.as_bytes().ct_eq(stored.as_bytes())))
}

/// The message: the code first (phones show the start in the notification),
/// who sent it, and the domain-bound line of WebOTP / iOS autofill.
pub fn message(code: &str, site: &str, domain: Option<&str>) -> String {
    let bound = domain.map(|d| format!("\n\n@{d} #{code}")).unwrap_or_default();
    format!("{code} is your {site} sign-in code. It expires in 5 minutes. Never share it.{bound}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anywhere() -> AllowedCountries {
        AllowedCountries::default()
    }

    #[test]
    fn a_typed_international_number_becomes_e164_and_is_shown_masked() {
        let n = PhoneNumber::parse("+1 (415) 555-0123", &anywhere()).unwrap();
        assert_eq!(n.e164(), "+14155550123");
        assert_eq!(n.country(), Some("US"));
        assert_eq!(n.masked(), "+1 ••• ••• 01 23");
        let de = PhoneNumber::parse("+49 30 12345678", &anywhere()).unwrap();
        assert_eq!(de.e164(), "+493012345678");
        assert_eq!(de.masked(), "+49 ••• ••• 56 78");
        assert_eq!(PhoneNumber::from_stored(de.e164()), de);
    }

    #[test]
    fn a_number_without_a_country_code_or_outside_any_plan_is_refused() {
        assert_eq!(PhoneNumber::parse("415 555 0123", &anywhere()), Err(PhoneError::Malformed));
        assert_eq!(PhoneNumber::parse("+hello", &anywhere()), Err(PhoneError::Malformed));
        assert_eq!(PhoneNumber::parse("+1 200 555 0123", &anywhere()), Err(PhoneError::Invalid));
    }

    #[test]
    fn codes_go_only_to_the_countries_the_operator_allows() {
        let allowed = AllowedCountries::parse("de, FR").unwrap();
        assert!(PhoneNumber::parse("+49 30 12345678", &allowed).is_ok());
        assert_eq!(
            PhoneNumber::parse("+1 415 555 0123", &allowed),
            Err(PhoneError::CountryNotAllowed { country: "US".into() })
        );
        assert_eq!(AllowedCountries::parse("DE,XX"), Err("XX".into()));
    }

    #[test]
    fn a_code_matches_only_its_own_account_and_send_and_is_six_digits() {
        let key = Keys::new(&[7u8; 32]);
        let code = new_code();
        assert_eq!(code.len(), 6);
        let stored = code_hash(&key, 1, "login:a", &code);
        assert!(matches(&key, 1, "login:a", &code, &stored));
        assert!(matches(&key, 1, "login:a", &format!("{} {}", &code[..3], &code[3..]), &stored));
        assert!(!matches(&key, 2, "login:a", &code, &stored));
        assert!(!matches(&key, 1, "login:b", &code, &stored));
        assert!(!matches(&key, 1, "login:a", "12345", &stored));
        assert_eq!(normalize("123-456"), Some("123456".into()));
        assert_eq!(normalize("12345a"), None);
    }

    #[test]
    fn the_message_starts_with_the_code_and_binds_it_to_the_domain() {
        let text = message("123456", "Portcullis", Some("auth.example.com"));
        assert!(text.starts_with("123456 is your Portcullis sign-in code."));
        assert!(text.ends_with("@auth.example.com #123456"));
    }
}
