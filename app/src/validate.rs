//! Input rules, shared so the browser can show the same messages the server enforces.
//! The server always re-checks: these run on every server function input.

use crate::error::AppError;

pub const PASSWORD_MIN: usize = 8;
/// Checked on every path that hashes a password (sign-up, log in,
/// re-authentication) before it is hashed: the request body may be 2 MB.
pub const PASSWORD_MAX: usize = 1024;
const NAME_MAX: usize = 100;
const EMAIL_MAX: usize = 254;

/// Trims and lowercases; emails are unique case-insensitively.
pub fn email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let invalid = || AppError::validation("email", "Enter a valid email address, like alice@example.com.");
    if email.is_empty() {
        return Err(AppError::validation("email", "Enter your email address."));
    }
    if email.len() > EMAIL_MAX {
        return Err(AppError::validation("email", format!("An email address has at most {EMAIL_MAX} characters.")));
    }
    let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    if local.is_empty() || local.contains(char::is_whitespace) || local.contains('@') || !domain_ok {
        return Err(invalid());
    }
    Ok(email)
}

pub fn new_password(raw: &str) -> Result<(), AppError> {
    password_length(raw)?;
    if raw.chars().count() < PASSWORD_MIN {
        return Err(AppError::validation(
            "password",
            format!("Use at least {PASSWORD_MIN} characters for your password."),
        ));
    }
    Ok(())
}

/// A password typed to log in or re-authenticate: only too long is refused
/// (no account can have a longer one), so no megabyte ever reaches argon2.
pub fn password_length(raw: &str) -> Result<(), AppError> {
    // A UTF-8 character is at most 4 bytes: no need to count a long body through.
    if raw.len() > 4 * PASSWORD_MAX || raw.chars().count() > PASSWORD_MAX {
        return Err(AppError::validation("password", format!("A password has at most {PASSWORD_MAX} characters.")));
    }
    Ok(())
}

pub fn person_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::validation("name", "Enter your name."));
    }
    if name.chars().count() > NAME_MAX {
        return Err(AppError::validation("name", format!("A name has at most {NAME_MAX} characters.")));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::validation("name", "A name cannot contain control characters."));
    }
    Ok(name.to_string())
}

pub fn org_name(raw: &str) -> Result<String, AppError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::validation("name", "Enter the organization's name."));
    }
    if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(AppError::validation("name", format!("Use up to {NAME_MAX} printable characters.")));
    }
    Ok(name.to_string())
}

/// Slugs appear in URLs: lowercase letters, digits and single hyphens.
pub fn slug(raw: &str) -> Result<String, AppError> {
    let slug = raw.trim().to_lowercase();
    let ok = (2..=40).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if !ok {
        return Err(AppError::validation(
            "slug",
            "Use 2 to 40 lowercase letters, digits and single hyphens, like acme-corp.",
        ));
    }
    Ok(slug)
}

/// A suggestion for the slug field from an organization name.
pub fn slug_from_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(email("  Alice@Example.COM ").unwrap(), "alice@example.com");
        for bad in ["", "alice", "alice@", "@example.com", "a b@example.com", "alice@example", "alice@.com", "a@b..com"]
        {
            assert!(email(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn password_length_is_counted_in_characters() {
        assert!(new_password("1234567").is_err());
        assert!(new_password("12345678").is_ok());
        assert!(new_password(&"é".repeat(1024)).is_ok());
        assert!(new_password(&"x".repeat(1025)).is_err());
    }

    #[test]
    fn a_password_to_check_is_refused_only_when_too_long() {
        assert!(password_length("").is_ok());
        assert!(password_length(&"é".repeat(1024)).is_ok());
        let err = password_length(&"x".repeat(2 << 20)).unwrap_err();
        assert_eq!(err.field_message("password").as_deref(), Some("A password has at most 1024 characters."));
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Acme-Corp").unwrap(), "acme-corp");
        for bad in ["a", "-acme", "acme-", "ac--me", "acme corp", "ácme"] {
            assert!(slug(bad).is_err(), "{bad} should be refused");
        }
        assert_eq!(slug_from_name("  Acme Corp, Inc. "), "acme-corp-inc");
    }

    #[test]
    fn names() {
        assert_eq!(person_name("  Alice  ").unwrap(), "Alice");
        assert!(person_name("   ").is_err());
        assert!(person_name("a\u{7}b").is_err());
    }
}
