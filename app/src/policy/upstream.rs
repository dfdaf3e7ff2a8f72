//! The rules of signing in through another identity provider (the JetBrains
//! Hub seed's "third-party auth modules"), pure.

/// What happens to a sign-in whose identity (provider, `sub`) no account holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unlinked {
    /// Make an account for the verified address, linked to the identity.
    SignUp { email: String },
    /// An account has that address: its owner connects the provider after
    /// signing in the usual way. Never linked here: a provider vouching for
    /// an address must not take over the account that has it.
    ExistingAccount,
    /// The provider may not make accounts, or did not verify the address.
    Refuse { email_unverified: bool },
}

/// `email`: what the provider said, normalised; `taken`: an account has it.
pub fn on_unlinked(allow_sign_up: bool, email: Option<&str>, email_verified: bool, taken: bool) -> Unlinked {
    match email {
        Some(_) if taken => Unlinked::ExistingAccount,
        Some(email) if allow_sign_up && email_verified => Unlinked::SignUp { email: email.to_string() },
        _ => Unlinked::Refuse { email_unverified: allow_sign_up && !email_verified },
    }
}

/// RFC 8176 methods that stand for a second factor (or the provider saying "mfa" outright).
const MULTI_FACTOR: [&str; 11] = ["mfa", "otp", "hwk", "swk", "sms", "tel", "fpt", "face", "iris", "retina", "sc"];

/// The provider says the person used more than one factor.
pub fn says_multi_factor(amr: &[String]) -> bool {
    amr.iter().any(|m| MULTI_FACTOR.contains(&m.as_str()))
}

/// The ways an account can sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInMethods {
    pub password: bool,
    pub providers: usize,
    pub passkeys: i64,
}

/// Giving one of them up ("Remove password", "Disconnect") leaves another.
pub fn leaves_a_way_in(after: SignInMethods) -> bool {
    after.password || after.providers > 0 || after.passkeys > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unlinked_identity_makes_an_account_only_when_allowed_verified_and_the_address_is_free() {
        assert_eq!(on_unlinked(true, Some("a@x.test"), true, false), Unlinked::SignUp { email: "a@x.test".into() });
        assert_eq!(on_unlinked(false, Some("a@x.test"), true, false), Unlinked::Refuse { email_unverified: false });
        assert_eq!(on_unlinked(true, Some("a@x.test"), false, false), Unlinked::Refuse { email_unverified: true });
        assert_eq!(on_unlinked(true, None, true, false), Unlinked::Refuse { email_unverified: false });
    }

    #[test]
    fn an_address_an_account_has_is_never_taken_over_verified_or_not() {
        for (allow, verified) in [(true, true), (true, false), (false, true), (false, false)] {
            assert_eq!(on_unlinked(allow, Some("a@x.test"), verified, true), Unlinked::ExistingAccount);
        }
    }

    #[test]
    fn a_second_factor_in_amr_counts_as_multi_factor_and_a_password_alone_does_not() {
        let amr = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(says_multi_factor(&amr(&["pwd", "otp"])));
        assert!(says_multi_factor(&amr(&["mfa"])));
        assert!(says_multi_factor(&amr(&["hwk", "user"])));
        assert!(!says_multi_factor(&amr(&["pwd"])));
        assert!(!says_multi_factor(&[]));
    }

    #[test]
    fn the_last_way_to_sign_in_cannot_be_given_up() {
        let none = SignInMethods { password: false, providers: 0, passkeys: 0 };
        assert!(!leaves_a_way_in(none));
        assert!(leaves_a_way_in(SignInMethods { providers: 1, ..none }));
        assert!(leaves_a_way_in(SignInMethods { passkeys: 1, ..none }));
        assert!(leaves_a_way_in(SignInMethods { password: true, ..none }));
    }
}
