//! How a session proved who its owner is when it began: stored with the
//! session, carried into authorization codes and grants, and said to
//! applications as `amr` and `acr` (`crate::oidc::claims`).

use super::Kind;

/// How the owner of a session proved who they are when it began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Password,
    PasswordAndTotp,
    PasswordAndBackupCode,
    /// Password, then a security key or passkey.
    PasswordAndKey,
    /// A passkey alone, with user verification (PIN or biometrics): both factors.
    Passkey,
    /// The password, on a browser the person chose to remember after a
    /// second factor within the last 30 days ("Don't ask for a code on this
    /// browser"): no code now, so no `otp` in `amr`.
    PasswordOnRememberedBrowser,
}

impl Proof {
    pub const ALL: [Proof; 6] = [
        Self::Password,
        Self::PasswordAndTotp,
        Self::PasswordAndBackupCode,
        Self::PasswordAndKey,
        Self::Passkey,
        Self::PasswordOnRememberedBrowser,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "pwd",
            Self::PasswordAndTotp => "pwd+totp",
            Self::PasswordAndBackupCode => "pwd+backup_code",
            Self::PasswordAndKey => "pwd+hwk",
            Self::Passkey => "passkey",
            Self::PasswordOnRememberedBrowser => "pwd+remembered",
        }
    }

    /// Unknown values read as the weakest proof, never as a stronger one.
    pub fn parse(value: &str) -> Self {
        match value {
            "pwd+totp" => Self::PasswordAndTotp,
            "pwd+backup_code" => Self::PasswordAndBackupCode,
            "pwd+hwk" => Self::PasswordAndKey,
            "passkey" => Self::Passkey,
            "pwd+remembered" => Self::PasswordOnRememberedBrowser,
            _ => Self::Password,
        }
    }

    /// A second factor stands behind the session: given now, or on this
    /// browser within the days it is remembered (an application requiring
    /// 2FA accepts it; the organization may forbid remembering).
    pub fn used_second_factor(self) -> bool {
        self != Self::Password
    }
}

impl Proof {
    /// The kind of second factor the session used, if any.
    pub fn factor(self) -> Option<Kind> {
        match self {
            Self::Password | Self::PasswordOnRememberedBrowser => None,
            Self::PasswordAndTotp | Self::PasswordAndBackupCode => Some(Kind::App),
            Self::PasswordAndKey | Self::Passkey => Some(Kind::SecurityKey),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_proof_reads_back_as_itself_and_unknown_values_as_the_weakest() {
        for proof in Proof::ALL {
            assert_eq!(Proof::parse(proof.as_str()), proof);
            let remembered = proof == Proof::PasswordOnRememberedBrowser;
            assert_eq!(proof.used_second_factor(), proof.factor().is_some() || remembered);
        }
        assert_eq!(Proof::parse("pwd+sms-from-the-future"), Proof::Password);
    }
}
