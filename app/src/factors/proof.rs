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
    /// Password, then a code texted to the account's verified number.
    PasswordAndSms,
    /// Password, then a security key or passkey.
    PasswordAndKey,
    /// A passkey alone, with user verification (PIN or biometrics): both factors.
    Passkey,
    /// The password, on a browser the person chose to remember after a
    /// second factor within the last 30 days ("Don't ask for a code on this
    /// browser"): no code now, so no `otp` in `amr`.
    PasswordOnRememberedBrowser,
    /// Through another identity provider (the Hub rule: no second factor
    /// asked here), which did not say it used more than one factor.
    Upstream,
    /// Through another identity provider that says it used several factors
    /// (`amr` naming `mfa`, `otp`, `hwk`, …).
    UpstreamMfa,
}

impl Proof {
    pub const ALL: [Proof; 9] = [
        Self::Password,
        Self::PasswordAndTotp,
        Self::PasswordAndBackupCode,
        Self::PasswordAndSms,
        Self::PasswordAndKey,
        Self::Passkey,
        Self::PasswordOnRememberedBrowser,
        Self::Upstream,
        Self::UpstreamMfa,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "pwd",
            Self::PasswordAndTotp => "pwd+totp",
            Self::PasswordAndBackupCode => "pwd+backup_code",
            Self::PasswordAndSms => "pwd+sms",
            Self::PasswordAndKey => "pwd+hwk",
            Self::Passkey => "passkey",
            Self::PasswordOnRememberedBrowser => "pwd+remembered",
            Self::Upstream => "upstream",
            Self::UpstreamMfa => "upstream+mfa",
        }
    }

    /// Unknown values read as the weakest proof, never as a stronger one.
    pub fn parse(value: &str) -> Self {
        match value {
            "pwd+totp" => Self::PasswordAndTotp,
            "pwd+backup_code" => Self::PasswordAndBackupCode,
            "pwd+sms" => Self::PasswordAndSms,
            "pwd+hwk" => Self::PasswordAndKey,
            "passkey" => Self::Passkey,
            "pwd+remembered" => Self::PasswordOnRememberedBrowser,
            "upstream" => Self::Upstream,
            "upstream+mfa" => Self::UpstreamMfa,
            _ => Self::Password,
        }
    }

    /// A second factor stands behind the session: given now, or on this
    /// browser within the days it is remembered (an application requiring
    /// 2FA accepts it; the organization may forbid remembering).
    pub fn used_second_factor(self) -> bool {
        !matches!(self, Self::Password | Self::Upstream)
    }

    /// The session began at another identity provider.
    pub fn is_upstream(self) -> bool {
        matches!(self, Self::Upstream | Self::UpstreamMfa)
    }
}

impl Proof {
    /// The kind of second factor the session used, if any.
    pub fn factor(self) -> Option<Kind> {
        match self {
            Self::Password | Self::PasswordOnRememberedBrowser | Self::Upstream | Self::UpstreamMfa => None,
            Self::PasswordAndTotp | Self::PasswordAndBackupCode => Some(Kind::App),
            Self::PasswordAndKey | Self::Passkey => Some(Kind::SecurityKey),
            Self::PasswordAndSms => Some(Kind::Sms),
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
            let vouched = matches!(proof, Proof::PasswordOnRememberedBrowser | Proof::UpstreamMfa);
            assert_eq!(proof.used_second_factor(), proof.factor().is_some() || vouched);
        }
        assert_eq!(Proof::parse("pwd+carrier-pigeon"), Proof::Password);
    }
}
