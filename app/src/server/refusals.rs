//! Why a use case did not happen, in the domain's terms. Repositories and
//! use cases say which; `super::wording` is the one place that says it to a
//! person (message, form field and status).

use super::second_factor::Accept;
use crate::policy::Refusal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// A rule of `policy.rs`.
    Policy(Refusal),
    EmailTaken,
    SlugTaken {
        slug: String,
    },
    /// Already a member; `email` when the person acting typed it.
    AlreadyMember {
        email: Option<String>,
    },
    /// The person acted on is not (or no longer) a member.
    NotAMember,
    /// The person acting is not (or no longer) a member.
    YouAreNotAMember,
    YourRoleChanged,
    TheirRoleChanged,
    LastOwner(LastOwnerWrite),
    InvalidRole {
        message: String,
    },
    GraceDaysInvalid,
    RequirementChangedMeanwhile,
    /// Switching the requirement off or changing its grace period needs the owner's password and code.
    RequirementNeedsReauthentication,
    /// Allowing another kind of second factor needs the owner's password and code.
    FactorsNeedReauthentication,
    /// ... and the owner's own authenticator app, to give the code.
    RequirementNeedsYourTwoFactor,
    ResetYourOwn,
    ResetOvertaken,
    MemberHasNoTwoFactor,
    InvitationNotYours,
    InvitationGone,
    InvitationCodeMalformed,
    InvitationCodeWrong,
    /// Too many wrong codes: the invitation is gone.
    InvitationVoided,
    TwoFactorAlreadyOn,
    TwoFactorOff,
    EnrollmentExpired,
    EnrollmentVoided,
    EnrollmentNotChecked,
    PasswordNeededForEnrollment,
    BackupCodeCannotReveal,
    MalformedCode(Accept),
    WrongCode(Accept),
    WrongPassword,
    /// A wrong code at enrollment's "Check Code": the message names the code,
    /// the account and the server's time, as the seed documents do.
    WrongEnrollmentCode {
        code: String,
        email: String,
        server_time: i64,
    },
    /// The session or the pending login expired, or was used: log in again.
    SignedOut,
    /// No public URL with a domain name: WebAuthn is off on this server.
    SecurityKeysOff,
    /// The ceremony expired, was used already, or belongs to another login.
    KeyRequestGone,
    /// The browser's answer does not parse as a WebAuthn credential.
    KeyAnswerMalformed,
    /// The answer was checked and refused (signature, origin, relying party,
    /// unknown key, counter, user verification).
    KeyNotAccepted,
    KeyAlreadyRegistered,
    NoSecurityKeys,
    KeyNotFound,
    /// Adding an authenticator to an account with 2FA: a code from its app is needed.
    CodeNeededToAddFactor,
    /// ... or, for an account whose second factors are keys only, a key confirmed first.
    KeyConfirmationNeeded,
}

/// Which write would have left an organization without an owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastOwnerWrite {
    Demote,
    Remove,
}

impl From<Refusal> for Refused {
    fn from(refusal: Refusal) -> Self {
        Self::Policy(refusal)
    }
}
