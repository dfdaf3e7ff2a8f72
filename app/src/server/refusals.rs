//! Why a use case did not happen, in the domain's terms. Repositories and
//! use cases say which; `super::words` is the one place that says it to a
//! person (message, form field and status).

use crate::api_access::{CredentialKind, Scope};
use crate::policy::Refusal;
use crate::twofactor::Accept;

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
        /// The device's clock looks this far off (positive: ahead).
        skew_minutes: Option<i64>,
    },
    /// An app code of a step minutes in the past: the device's clock (or the server's) is behind.
    ClockOff {
        minutes: i64,
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
    /// ... or, for an account whose only code comes by text message, a backup code.
    BackupCodeNeededToAddFactor,
    /// Re-authentication without the password (`to` finishes "Enter your password …").
    PasswordNeededTo(&'static str),
    NoSuchOrganization,
    /// The operator's command line named an organization that does not exist.
    NoOrganizationAt {
        slug: String,
    },
    /// The REST API refused the credentials a request carried.
    Credentials(CredentialsRefused),
    /// The token lacks the scope the request needs.
    MissingScope(Scope),
    /// The organization does not let tokens or application passwords reach its data.
    TokensNotAllowed {
        org: String,
    },
    TokenNameInvalid,
    NoScopeChosen,
    ExpiryInvalid,
    /// No such token or application password (or revoked already).
    CredentialGone,
    /// Registering an application: no redirect URI, too many, or one refused (`why`).
    RedirectUriMissing {
        field: String,
    },
    TooManyUris {
        field: String,
        max: usize,
    },
    RedirectUriRefused {
        field: String,
        why: String,
    },
    ApplicationNotFound,
    /// A refresh token life outside an hour to 30 days.
    RefreshLifetimeInvalid,
    /// Admitting the members of an organization the manager does not manage.
    MayNotAdmit {
        org: String,
    },
    MayNotAdmitSoMany {
        max: usize,
    },
    NoConfidentialApplication,
    /// "Revoke" of an application the person never allowed.
    ApplicationNotAllowed,
    UnknownApplication,
    /// OpenID Connect's logout: what the request named does not fit together.
    Logout(LogoutRefused),
    /// The sign-in request expired or was completed already.
    SignInRequestGone,
    /// The server has no public URL: OpenID Connect is off.
    OpenIdConnectOff,
    /// A verification link expired, was used, or was replaced by a newer one.
    VerifyLinkGone,
    /// A password reset link expired, was used, or was replaced by a newer one.
    ResetLinkGone,
    /// A verification link for an address the account no longer has.
    LinkForAnotherAddress,
    AlreadyVerified,
    /// An invitation to an address is accepted only once the address is verified.
    VerifiedAddressNeeded,
    /// The new password is among the most common ones.
    CommonPassword,
    /// The operator named an address no account uses (the command line only: no enumeration there).
    NoAccountFor {
        email: String,
    },
    /// `orgs add-owner` for someone who is an owner already.
    AlreadyOwner {
        email: String,
    },
    /// The organization lets in only members whose address is verified.
    VerifiedAddressRequiredBy {
        org: String,
    },
    /// "Forget" a browser that is not (or no longer) remembered for the account.
    BrowserGone,
    /// "End" a session that is not (or no longer) one of the account's.
    SessionGone,
    /// Signing in through another identity provider, connecting one, or
    /// giving up the password for one.
    Upstream(UpstreamRefused),
    /// `providers add` with a name in use.
    ProviderNameTaken,
    /// The identity at the provider signs in to another account already (or this one has one there).
    ProviderIdentityTaken,
    /// No SMS gateway is configured: text messages are not offered.
    SmsOff,
    /// The number typed cannot receive codes (`PhoneNumber::parse`).
    Phone(crate::twofactor::sms::PhoneError),
    /// "Send the code again" within a minute of the last one.
    SmsResendTooSoon {
        secs: i64,
    },
    /// A limit on texted codes (per account, number, address, or the day's).
    SmsLimit {
        retry_after_secs: u64,
    },
    /// The account has no number for text messages.
    SmsNotSetUp,
    /// "Preferred method": a kind the account does not hold, or that asks for no code.
    MethodNotSetUp,
}

/// Why signing in through (or connecting) another identity provider did not happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpstreamRefused {
    /// No such provider (or it was removed).
    UnknownProvider,
    /// The provider's discovery document or keys could not be fetched (`why`, for the page).
    Unavailable { provider: String, why: String },
    /// The browser came back without the request it started here, or after it expired or was used.
    StateMismatch,
    /// The provider answered with an error (`access_denied`, …).
    ProviderSaid { provider: String, error: String, description: Option<String> },
    /// The `iss` the provider sent back is not the provider's issuer (RFC 9207).
    IssuerMismatch { provider: String },
    /// The code exchange or the ID token failed (signature, audience, nonce, expiry).
    InvalidToken { provider: String },
    /// An account has this address: sign in with the password and connect the provider there.
    EmailCollision { provider: String },
    /// The identity is not linked and the provider may not make accounts (or the address is unverified).
    NoLinkedAccount { provider: String, email_unverified: bool },
    /// Removing the password, or disconnecting the last provider, would leave no way to sign in.
    LastWayToSignIn,
    /// An account without a password connects a provider only right after signing in.
    SignInAgainToConnect,
    /// "Remove password" on an account that has none.
    NoPassword,
    /// Disconnecting a provider the account is not connected to.
    NotConnected,
}

/// Why the REST API refused a request's credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialsRefused {
    Missing,
    UnsupportedScheme,
    AppPasswordNeedsBasic,
    NotAToken,
    InvalidToken,
    Revoked(CredentialKind),
    Expired(CredentialKind, i64),
    MalformedBasic,
    /// The account has 2FA: its password alone does not reach the API.
    TwoFactorNeedsToken {
        email: String,
    },
}

/// Why an OpenID Connect logout request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutRefused {
    HintNotOurs,
    HintFromElsewhere,
    ClientIdMismatch,
    UnknownClientId,
    RedirectNeedsClient,
    RedirectNotRegistered,
}

impl Refused {
    /// The stable code said on the wire with the words (`AppError::reason`):
    /// what the UI and API clients branch on. Renaming a variant keeps its code.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Policy(refusal) => refusal.reason(),
            Self::EmailTaken => "email_taken",
            Self::SlugTaken { .. } => "slug_taken",
            Self::AlreadyMember { .. } => "already_member",
            Self::NotAMember => "not_a_member",
            Self::YouAreNotAMember => "you_are_not_a_member",
            Self::YourRoleChanged => "your_role_changed",
            Self::TheirRoleChanged => "their_role_changed",
            Self::LastOwner(..) => "last_owner",
            Self::InvalidRole { .. } => "invalid_role",
            Self::GraceDaysInvalid => "grace_days_invalid",
            Self::RequirementChangedMeanwhile => "requirement_changed_meanwhile",
            Self::RequirementNeedsReauthentication => "requirement_needs_reauthentication",
            Self::FactorsNeedReauthentication => "factors_need_reauthentication",
            Self::RequirementNeedsYourTwoFactor => "requirement_needs_your_two_factor",
            Self::ResetYourOwn => "reset_your_own",
            Self::ResetOvertaken => "reset_overtaken",
            Self::MemberHasNoTwoFactor => "member_has_no_two_factor",
            Self::InvitationNotYours => "invitation_not_yours",
            Self::InvitationGone => "invitation_gone",
            Self::InvitationCodeMalformed => "invitation_code_malformed",
            Self::InvitationCodeWrong => "invitation_code_wrong",
            Self::InvitationVoided => "invitation_voided",
            Self::TwoFactorAlreadyOn => "two_factor_already_on",
            Self::TwoFactorOff => "two_factor_off",
            Self::EnrollmentExpired => "enrollment_expired",
            Self::EnrollmentVoided => "enrollment_voided",
            Self::EnrollmentNotChecked => "enrollment_not_checked",
            Self::PasswordNeededForEnrollment => "password_needed_for_enrollment",
            Self::BackupCodeCannotReveal => "backup_code_cannot_reveal",
            Self::MalformedCode(..) => "malformed_code",
            Self::WrongCode(..) => "wrong_code",
            Self::WrongPassword => "wrong_password",
            Self::WrongEnrollmentCode { .. } => "wrong_enrollment_code",
            Self::ClockOff { .. } => "clock_off",
            Self::SignedOut => "signed_out",
            Self::SecurityKeysOff => "security_keys_off",
            Self::KeyRequestGone => "key_request_gone",
            Self::KeyAnswerMalformed => "key_answer_malformed",
            Self::KeyNotAccepted => "key_not_accepted",
            Self::KeyAlreadyRegistered => "key_already_registered",
            Self::NoSecurityKeys => "no_security_keys",
            Self::KeyNotFound => "key_not_found",
            Self::CodeNeededToAddFactor => "code_needed_to_add_factor",
            Self::KeyConfirmationNeeded => "key_confirmation_needed",
            Self::PasswordNeededTo(..) => "password_needed_to",
            Self::NoSuchOrganization => "no_such_organization",
            Self::NoOrganizationAt { .. } => "no_organization_at",
            Self::Credentials(why) => why.reason(),
            Self::MissingScope(..) => "missing_scope",
            Self::TokensNotAllowed { .. } => "tokens_not_allowed",
            Self::TokenNameInvalid => "token_name_invalid",
            Self::NoScopeChosen => "no_scope_chosen",
            Self::ExpiryInvalid => "expiry_invalid",
            Self::CredentialGone => "credential_gone",
            Self::RedirectUriMissing { .. } => "redirect_uri_missing",
            Self::TooManyUris { .. } => "too_many_uris",
            Self::RedirectUriRefused { .. } => "redirect_uri_refused",
            Self::ApplicationNotFound => "application_not_found",
            Self::RefreshLifetimeInvalid => "refresh_lifetime_invalid",
            Self::MayNotAdmit { .. } => "may_not_admit",
            Self::MayNotAdmitSoMany { .. } => "may_not_admit_so_many",
            Self::NoConfidentialApplication => "no_confidential_application",
            Self::ApplicationNotAllowed => "application_not_allowed",
            Self::UnknownApplication => "unknown_application",
            Self::Logout(why) => why.reason(),
            Self::SignInRequestGone => "sign_in_request_gone",
            Self::OpenIdConnectOff => "open_id_connect_off",
            Self::VerifyLinkGone => "verify_link_gone",
            Self::ResetLinkGone => "reset_link_gone",
            Self::LinkForAnotherAddress => "link_for_another_address",
            Self::AlreadyVerified => "already_verified",
            Self::VerifiedAddressNeeded => "verified_address_needed",
            Self::CommonPassword => "common_password",
            Self::NoAccountFor { .. } => "no_account_for",
            Self::AlreadyOwner { .. } => "already_owner",
            Self::BrowserGone => "browser_gone",
            Self::VerifiedAddressRequiredBy { .. } => "verified_address_required",
            Self::SessionGone => "session_gone",
            Self::Upstream(why) => why.reason(),
            Self::ProviderNameTaken => "provider_name_taken",
            Self::ProviderIdentityTaken => "provider_identity_taken",
            Self::BackupCodeNeededToAddFactor => "backup_code_needed_to_add_factor",
            Self::SmsOff => "sms_off",
            Self::Phone(crate::twofactor::sms::PhoneError::CountryNotAllowed { .. }) => "phone_country_not_allowed",
            Self::Phone(_) => "phone_invalid",
            Self::SmsResendTooSoon { .. } => "sms_resend_too_soon",
            Self::SmsLimit { .. } => "sms_limit",
            Self::SmsNotSetUp => "sms_not_set_up",
            Self::MethodNotSetUp => "method_not_set_up",
        }
    }
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

impl CredentialsRefused {
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Missing => "credentials_missing",
            Self::UnsupportedScheme => "unsupported_scheme",
            Self::AppPasswordNeedsBasic => "app_password_needs_basic",
            Self::NotAToken => "not_a_token",
            Self::InvalidToken => "invalid_token",
            Self::Revoked(_) => "credential_revoked",
            Self::Expired(..) => "credential_expired",
            Self::MalformedBasic => "malformed_basic",
            Self::TwoFactorNeedsToken { .. } => "two_factor_needs_token",
        }
    }
}

impl UpstreamRefused {
    pub fn reason(&self) -> &'static str {
        match self {
            Self::UnknownProvider => "unknown_provider",
            Self::Unavailable { .. } => "provider_unavailable",
            Self::StateMismatch => "upstream_state_mismatch",
            Self::ProviderSaid { .. } => "provider_error",
            Self::IssuerMismatch { .. } => "issuer_mismatch",
            Self::InvalidToken { .. } => "upstream_token_invalid",
            Self::EmailCollision { .. } => "upstream_email_collision",
            Self::NoLinkedAccount { .. } => "no_linked_account",
            Self::LastWayToSignIn => "last_way_to_sign_in",
            Self::SignInAgainToConnect => "sign_in_again_to_connect",
            Self::NoPassword => "no_password",
            Self::NotConnected => "provider_not_connected",
        }
    }
}

impl From<UpstreamRefused> for Refused {
    fn from(why: UpstreamRefused) -> Self {
        Self::Upstream(why)
    }
}

impl From<UpstreamRefused> for crate::error::AppError {
    fn from(why: UpstreamRefused) -> Self {
        Refused::Upstream(why).into()
    }
}

impl LogoutRefused {
    pub fn reason(self) -> &'static str {
        match self {
            Self::HintNotOurs => "id_token_hint_not_ours",
            Self::HintFromElsewhere => "id_token_hint_from_elsewhere",
            Self::ClientIdMismatch => "client_id_mismatch",
            Self::UnknownClientId => "unknown_client_id",
            Self::RedirectNeedsClient => "post_logout_redirect_needs_client",
            Self::RedirectNotRegistered => "post_logout_redirect_not_registered",
        }
    }
}
