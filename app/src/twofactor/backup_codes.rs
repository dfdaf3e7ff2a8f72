//! Backup (recovery) codes: five one-time codes of 50 random bits each,
//! written `xxxxx-xxxxx` in Crockford's base32, which has no I, L, O or U,
//! so nothing reads as something else.

use rand::Rng;

pub const COUNT: usize = 5;
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
const HALF: usize = 5;

/// 10 symbols of 5 bits: 50 bits per code.
pub fn generate() -> Vec<String> {
    let mut rng = rand::rngs::OsRng;
    (0..COUNT)
        .map(|_| {
            let symbols: String = (0..HALF * 2).map(|_| ALPHABET[rng.gen_range(0..32)] as char).collect();
            format!("{}-{}", &symbols[..HALF], &symbols[HALF..])
        })
        .collect()
}

/// The canonical form of what a person typed: case, spaces and hyphens do not
/// matter, and the look-alikes O, I and L read as 0, 1 and 1.
pub fn normalize(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(HALF * 2);
    for c in raw.chars() {
        let c = c.to_ascii_lowercase();
        let c = match c {
            ' ' | '-' => continue,
            'o' => '0',
            'i' | 'l' => '1',
            c => c,
        };
        if !c.is_ascii() || !ALPHABET.contains(&(c as u8)) {
            return None;
        }
        out.push(c);
    }
    (out.len() == HALF * 2).then(|| format!("{}-{}", &out[..HALF], &out[HALF..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_codes_of_the_readable_form() {
        let codes = generate();
        assert_eq!(codes.len(), 5);
        for code in &codes {
            assert_eq!(code.len(), 11);
            assert_eq!(&code[5..6], "-");
            assert!(code.chars().filter(|c| *c != '-').all(|c| ALPHABET.contains(&(c as u8))));
            assert!(!code.contains(['i', 'l', 'o', 'u']));
        }
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), 5);
    }

    #[test]
    fn each_code_carries_at_least_50_bits() {
        let bits = (ALPHABET.len() as f64).log2() * (HALF * 2) as f64;
        assert!(bits >= 50.0, "{bits}");
        // Every symbol shows up over many codes: the generator uses the whole alphabet.
        let seen: std::collections::HashSet<char> =
            (0..200).flat_map(|_| generate()).flat_map(|c| c.chars().collect::<Vec<_>>()).collect();
        assert_eq!(seen.len(), 33, "32 symbols and the hyphen");
    }

    #[test]
    fn typing_is_forgiving_but_strict_about_content() {
        assert_eq!(normalize("ABCDE FGH0J").as_deref(), Some("abcde-fgh0j"));
        assert_eq!(normalize("abcde-fghOj").as_deref(), Some("abcde-fgh0j"));
        assert_eq!(normalize("1lI00-xyzab").as_deref(), Some("11100-xyzab"));
        for bad in ["abcde-fgh0", "abcde-fgh0jk", "abcde-fghuj", "abcde_fgh0j", "ábcde-fgh0j"] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }
}
