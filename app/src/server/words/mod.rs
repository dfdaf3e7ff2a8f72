//! Words at the edge: what a person reads for each refusal, with the form
//! field it belongs to, the status it is answered with and its stable
//! reason code (`Refused::reason`); `labels` names log entries, `api` the
//! REST and OpenID Connect refusals.

pub mod api;
pub mod audit;
pub mod audit_detail;
pub mod labels;
pub mod notices;
mod upstream;

use super::refusals::{LastOwnerWrite, Refused};
use super::words::notices::Notice;
use crate::error::AppError;
use crate::model::{format_date, format_utc_time, Role};
use crate::policy::{ManagerTask, Refusal};
use crate::twofactor::Accept;

const RELOAD: &str = "Reload the page and try again.";

/// Said by server functions, REST and the OpenID Connect endpoints alike.
pub const OPENID_CONNECT_OFF: &str = "Signing in to applications with Portcullis (OpenID Connect) is not enabled on \
                                      this server: its operator must set PORTCULLIS_PUBLIC_URL.";

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        let reason = refusal.reason();
        refusal_words(refusal).because(reason)
    }
}

fn refusal_words(refusal: Refusal) -> AppError {
    {
        let forbidden = |m: &str| AppError::forbidden(m);
        match refusal {
            Refusal::ManagersOnly(task) => forbidden(match task {
                ManagerTask::ManageMembers => "Only owners and admins can manage members.",
                ManagerTask::SeeAuditLog => "Only owners and admins can see the audit log.",
                ManagerTask::SeeSettings => "Only owners and admins can see the organization's settings.",
                ManagerTask::ChangeSettings => "Only owners and admins can change the organization's settings.",
                ManagerTask::SeeInvitations => "Only owners and admins can see invitations.",
                ManagerTask::ExportMembers => "Only owners and admins can export the member list.",
                ManagerTask::ManageApplications => "Only owners and admins can manage the organization's applications.",
            }),
            Refusal::OwnersOnlyGrantOwner => forbidden("Only owners can grant, change or remove the owner role."),
            Refusal::OwnersOnlyChangeManagers => {
                forbidden("Only owners can change the role of an admin or an owner, or make someone an owner.")
            }
            Refusal::OwnersOnlyRemoveManagers => forbidden("Only owners can remove an admin or an owner."),
            Refusal::LastOwnerLeaving => AppError::conflict(
                "You are the last owner of this organization: make someone else an owner before you leave.",
            ),
            Refusal::InvitationExpired => AppError::conflict(
                "This invitation has expired. Ask an owner or admin of the organization to invite you again.",
            ),
            Refusal::AdminsResetMembersOnly => {
                forbidden("Admins can reset the two-factor authentication of members only, not of owners or admins.")
            }
            Refusal::ResetNeedsOwnTwoFactor => {
                forbidden("Turn on two-factor authentication for your own account before resetting someone else's.")
            }
            Refusal::TargetManagesAnotherOrg => forbidden(
                "This person is an owner or admin of another organization: their two-factor authentication cannot be \
                 reset from here. They can change it on their Account page.",
            ),
            Refusal::OwnersOnlyAllowRememberedBrowsers => {
                forbidden("Only owners can let members skip the code on remembered browsers. Admins can forbid it.")
            }
            Refusal::OwnersOnlyTrustUpstreamSignIns => forbidden(
                "Only owners can stop asking identity providers' sign-ins for several factors. Admins can ask for them.",
            ),
            Refusal::OwnersOnlyStopRequiringVerifiedEmails => {
                forbidden("Only owners can stop requiring verified email addresses. Admins can require them.")
            }
            Refusal::OwnersOnlyApiAccess => {
                forbidden("Only owners can allow or forbid personal access tokens and application passwords.")
            }
            Refusal::OwnersOnlyLoosenRequirement => forbidden(
                "Only owners can switch the two-factor requirement off or change its grace period once it is on.",
            ),
            Refusal::MustEnrollFirst(people) => {
                let names: Vec<String> = people.iter().map(|p| format!("{} ({})", p.name, p.email)).collect();
                AppError::conflict(format!(
                    "Every owner, and you, must have two-factor authentication before it can be required. Without it: {}.",
                    names.join(", ")
                ))
            }
            Refusal::OwnersOnlyLoosenFactors => {
                forbidden("Only owners can allow another kind of second factor. Admins can allow fewer kinds.")
            }
            Refusal::NoFactorAllowed => AppError::validation(
                "allowed_factors",
                "Allow at least one kind of second factor: the authenticator app, security keys, or both.",
            ),
            Refusal::RequiredBy(orgs) => forbidden(&format!(
                "Two-factor authentication cannot be turned off: {} require{} it.",
                orgs.join(", "),
                if orgs.len() == 1 { "s" } else { "" }
            )),
            Refusal::SignUpClosed { invite_only: false } => {
                AppError::forbidden("Signing up is closed on this server. Ask its administrator for an account.")
            }
            Refusal::SignUpClosed { invite_only: true } => AppError::validation(
                "email",
                "Signing up on this server needs an invitation: use the address an organization invited.",
            ),
            Refusal::SignUpDomain => AppError::validation(
                "email",
                "This server accepts sign-ups from some email domains only: use your organization's address.",
            ),
            Refusal::OrgCreationOperatorsOnly => AppError::forbidden(
                "Only the operators of this server can create organizations. Ask one of them to create yours.",
            ),
        }
    }
}

fn phone_refused(why: &crate::twofactor::sms::PhoneError) -> String {
    use crate::twofactor::sms::PhoneError;
    match why {
        PhoneError::Malformed => {
            "Enter the number in international form, with + and the country code, like +1 415 555 0123.".into()
        }
        PhoneError::Invalid => "That is not a valid phone number. Check the country code and the digits.".into(),
        PhoneError::CountryNotAllowed { country } => {
            format!(
                "This server does not send text messages to numbers in {country}. Use an authenticator app instead."
            )
        }
    }
}

fn malformed_code(accept: Accept) -> &'static str {
    match accept {
        Accept::Totp => "Enter the 6-digit code from your authenticator app.",
        Accept::BackupCode => "Enter one of your backup codes, like abcde-12345.",
        Accept::Either => "Enter the 6-digit code from your authenticator app, or a backup code.",
        Accept::Sms => "Enter the 6-digit code from the text message.",
    }
}

/// "Your device's clock looks 5 minutes behind the server's. " (with its space).
fn clock_off(minutes: i64) -> String {
    let n = minutes.abs();
    let unit = if n == 1 { "minute" } else { "minutes" };
    let way = if minutes < 0 { "behind" } else { "ahead of" };
    format!("Your device's clock looks {n} {unit} {way} the server's (or the server's is off). ")
}

fn wrong_code(accept: Accept) -> &'static str {
    match accept {
        Accept::BackupCode => "That backup code is not valid or was used already.",
        Accept::Sms => "That code is not valid, has expired or was replaced by a newer one. Enter the code from the latest text message, or send a new one.",
        _ => "That code is not valid. Enter the code your authenticator app shows now.",
    }
}

impl From<Refused> for AppError {
    fn from(refused: Refused) -> Self {
        let reason = refused.reason();
        refused_words(refused).because(reason)
    }
}

fn refused_words(refused: Refused) -> AppError {
    {
        match refused {
            Refused::Policy(refusal) => refusal.into(),
            Refused::Upstream(why) => upstream::words(why),
            Refused::ProviderNameTaken => AppError::validation("name", "A provider with this name exists already."),
            Refused::ProviderIdentityTaken => AppError::conflict(
                "That account at the provider is connected to another Portcullis account (or yours has one there already).",
            ),
            Refused::EmailTaken => {
                AppError::validation("email", "An account with this email already exists. Log in instead.")
            }
            Refused::SlugTaken { slug } => {
                AppError::validation("slug", format!("The address \"{slug}\" is taken. Choose another."))
            }
            Refused::AlreadyMember { email: Some(email) } => {
                AppError::validation("email", format!("{email} is already a member of this organization."))
            }
            Refused::AlreadyMember { email: None } => AppError::validation("email", "That person is already a member."),
            Refused::NotAMember => AppError::not_found("That person is not a member of this organization."),
            Refused::YouAreNotAMember => AppError::not_found("You are not a member of this organization."),
            Refused::YourRoleChanged => {
                AppError::conflict(format!("Your role in this organization has just changed. {RELOAD}"))
            }
            Refused::TheirRoleChanged => AppError::conflict(format!("That member's role has just changed. {RELOAD}")),
            Refused::LastOwner(LastOwnerWrite::Demote) => {
                AppError::conflict("An organization needs at least one owner: make someone else an owner first.")
            }
            Refused::LastOwner(LastOwnerWrite::Remove) => {
                AppError::conflict("The last owner cannot be removed: make someone else an owner first.")
            }
            Refused::InvalidRole { message } => AppError::validation("role", message),
            Refused::GraceDaysInvalid => {
                AppError::validation("grace_days", "Choose a grace period of none, 1, 3, 7, 14 or 30 days.")
            }
            Refused::RequirementChangedMeanwhile => {
                AppError::conflict("Someone changed this setting meanwhile. Reload the page and check it again.")
            }
            Refused::RequirementNeedsReauthentication => AppError::validation(
                "password",
                "Enter your password and the code your authenticator app shows now to switch the requirement off or \
                 change its grace period.",
            ),
            Refused::FactorsNeedReauthentication => AppError::validation(
                "password",
                "Enter your password and the code your authenticator app shows now to allow another kind of second \
                 factor.",
            ),
            Refused::RequirementNeedsYourTwoFactor => AppError::conflict(
                "This change needs a code from your authenticator app: set the app up on your Account page first.",
            ),
            Refused::ResetYourOwn => AppError::validation(
                "user_id",
                "To turn off your own two-factor authentication, use your Account page.",
            ),
            Refused::ResetOvertaken => AppError::conflict(format!(
                "That member's roles or two-factor authentication changed while you were resetting it. {RELOAD}"
            )),
            Refused::MemberHasNoTwoFactor => {
                AppError::conflict("That member does not have two-factor authentication enabled.")
            }
            Refused::InvitationNotYours => AppError::not_found(
                "No such invitation for you: it may have been cancelled, or it was sent to another email address.",
            ),
            Refused::InvitationGone => {
                AppError::not_found("No such invitation: it may have been accepted, declined or cancelled already.")
            }
            Refused::InvitationCodeMalformed => AppError::validation(
                "code",
                "Enter the invitation code you were given: 12 letters and digits, like 7K3Q-XW9D-2MFA.",
            ),
            Refused::InvitationCodeWrong => AppError::validation(
                "code",
                "That is not this invitation's code. Check it with the person who invited you.",
            ),
            Refused::InvitationVoided => AppError::conflict(
                "Too many wrong codes: this invitation is void. Ask an owner or admin to invite you again.",
            ),
            Refused::TwoFactorAlreadyOn => AppError::conflict("Two-factor authentication is already enabled."),
            Refused::TwoFactorOff => AppError::conflict("Two-factor authentication is not enabled."),
            Refused::EnrollmentExpired => {
                AppError::conflict("This setup has expired. Close the dialog and start again.")
            }
            Refused::EnrollmentVoided => AppError::conflict(
                "Two-factor authentication was turned on from another session after this setup started, so this \
                 setup no longer counts. Close the dialog.",
            ),
            Refused::EnrollmentNotChecked => AppError::conflict("Check a code from your authenticator app first."),
            Refused::PasswordNeededForEnrollment => AppError::validation(
                "password",
                "For your security, enter your password again to set up two-factor authentication.",
            ),
            Refused::BackupCodeCannotReveal => AppError::validation(
                "code",
                "A backup code cannot reveal backup codes. Enter the 6-digit code your authenticator app shows now.",
            ),
            Refused::MalformedCode(accept) => AppError::validation("code", malformed_code(accept)),
            Refused::WrongCode(accept) => AppError::validation("code", wrong_code(accept)),
            Refused::ClockOff { minutes } => AppError::validation(
                "code",
                format!(
                    "That code is not valid now. {}Set your phone to take its time from the network, then enter the code your authenticator app shows.",
                    clock_off(minutes)
                ),
            ),
            Refused::WrongPassword => AppError::validation("password", "That password is not right."),
            Refused::WrongEnrollmentCode { code, email, server_time, skew_minutes } => AppError::validation(
                "code",
                format!(
                    "Code {code} is not a valid two-factor authentication code for user {email}. {}\
                     Check that your device sets its clock automatically: the server's time is {}.",
                    skew_minutes.map(clock_off).unwrap_or_default(),
                    format_utc_time(server_time)
                ),
            ),
            Refused::SignedOut => AppError::Unauthenticated,
            Refused::SecurityKeysOff => AppError::not_found(
                "Security keys and passkeys are not available on this server: its administrator has to set \
                 PORTCULLIS_PUBLIC_URL to the address you use, with a domain name.",
            ),
            Refused::KeyRequestGone => AppError::BadRequest {
                message: "This security key request expired or was used already. Try again.".to_string(),
            },
            Refused::KeyAnswerMalformed => AppError::BadRequest {
                message: "Your browser's answer from the security key could not be read. Try again.".to_string(),
            },
            Refused::KeyNotAccepted => AppError::validation(
                "key",
                "Your security key was not accepted. Use a key registered to your account on this site, or another \
                 way to sign in.",
            ),
            Refused::KeyAlreadyRegistered => AppError::conflict("This security key is registered already."),
            Refused::NoSecurityKeys => {
                AppError::conflict("This account has no security key. Use your authenticator app or a recovery code.")
            }
            Refused::KeyNotFound => AppError::not_found("No such security key: it may have been removed already."),
            Refused::SmsOff => AppError::not_found("Text messages are not available on this server."),
            Refused::Phone(why) => AppError::validation("phone", phone_refused(&why)),
            Refused::SmsResendTooSoon { secs } => AppError::RateLimited { retry_after_secs: secs.max(1) as u64 },
            Refused::SmsLimit { retry_after_secs } => AppError::RateLimited { retry_after_secs },
            Refused::SmsNotSetUp => AppError::conflict("This account has no phone number for text messages."),
            Refused::MethodNotSetUp => AppError::validation("method", "Set this method up first."),
            Refused::CodeNeededToAddFactor => AppError::validation(
                "code",
                "Two-factor authentication is on: enter the 6-digit code your authenticator app shows now, or confirm \
                 with one of your security keys.",
            ),
            Refused::BackupCodeNeededToAddFactor => AppError::validation(
                "code",
                "Two-factor authentication is on: enter your password and one of your backup codes to add another method.",
            ),
            Refused::KeyConfirmationNeeded => AppError::validation(
                "code",
                "Two-factor authentication is on: confirm with one of your security keys first.",
            ),
            Refused::PasswordNeededTo(to) => AppError::validation("password", format!("Enter your password {to}.")),
            Refused::NoSuchOrganization => {
                AppError::not_found("No organization with that address, or you are not a member of it.")
            }
            Refused::NoOrganizationAt { slug } => {
                AppError::not_found(format!("No organization with the address \"{slug}\"."))
            }
            Refused::Credentials(why) => {
                AppError::Unauthorized { message: api::credentials_refused(why), reason: None }
            }
            Refused::MissingScope(scope) => AppError::forbidden(format!(
                "This token does not have the \"{}\" scope this request needs. Create a token with it on your Account page.",
                scope.as_str()
            )),
            Refused::TokensNotAllowed { org } => {
                AppError::forbidden(format!("{org} does not allow personal access tokens or application passwords for its data."))
            }
            Refused::TokenNameInvalid => {
                AppError::validation("name", "Give it a name of 1 to 100 characters, to recognise it later.")
            }
            Refused::NoScopeChosen => AppError::validation("scopes", "Choose at least one scope."),
            Refused::ExpiryInvalid => {
                AppError::validation("expires_in_days", "Choose an expiry of 30, 90 or 365 days, or none.")
            }
            Refused::CredentialGone => {
                AppError::not_found("No such token or application password: it may have been revoked already.")
            }
            Refused::RedirectUriMissing { field } => {
                AppError::validation(&field, "Enter at least one redirect URI, like https://wiki.example.com/callback.")
            }
            Refused::TooManyUris { field, max } => AppError::validation(&field, format!("Register at most {max} URIs.")),
            Refused::RedirectUriRefused { field, why } => AppError::validation(&field, why),
            Refused::ApplicationNotFound => AppError::not_found("No such application in this organization."),
            Refused::RefreshLifetimeInvalid => AppError::validation(
                "refresh_token_secs",
                "Choose a refresh token life between one hour and 30 days.",
            ),
            Refused::MayNotAdmitSoMany { max } => {
                AppError::validation("also_admit", format!("An application admits at most {max} other organizations."))
            }
            Refused::MayNotAdmit { org } => AppError::validation(
                "also_admit",
                format!("You can only admit the members of organizations you manage; {org} is not one of them."),
            ),
            Refused::NoConfidentialApplication => {
                AppError::not_found("No confidential application with this client id in this organization.")
            }
            Refused::ApplicationNotAllowed => {
                AppError::not_found("You have not allowed this application, or revoked it already.")
            }
            Refused::UnknownApplication => AppError::not_found("No such application."),
            Refused::Logout(why) => api::logout_refused(why),
            Refused::SignInRequestGone => {
                AppError::not_found("This sign-in request has expired or was completed already.")
            }
            Refused::OpenIdConnectOff => AppError::not_found(OPENID_CONNECT_OFF),
            Refused::VerifyLinkGone => AppError::not_found(
                "This verification link has expired, was already used, or a newer one was sent. Send a new one \
                 from your Account page.",
            ),
            Refused::ResetLinkGone => AppError::not_found(
                "This password reset link has expired, was already used, or a newer one was sent. Ask for a new one.",
            ),
            Refused::LinkForAnotherAddress => {
                AppError::conflict("This link was sent to an address your account no longer uses.")
            }
            Refused::AlreadyVerified => AppError::conflict("Your email address is already verified."),
            Refused::VerifiedAddressNeeded => AppError::forbidden(
                "Verify your email address to accept invitations sent to it: open the link we emailed you, or \
                 send a new one from your Account page.",
            ),
            Refused::CommonPassword => AppError::validation(
                "password",
                "This password is one of the most common ones, which attackers try first. Choose another.",
            ),
            Refused::NoAccountFor { email } => AppError::not_found(format!("No account uses {email}.")),
            Refused::AlreadyOwner { email } => {
                AppError::conflict(format!("{email} is an owner of this organization already."))
            }
            Refused::VerifiedAddressRequiredBy { org } => AppError::forbidden(format!(
                "{org} requires a verified email address. Open the link we mailed you, or send a new one from your Account page."
            )),
            Refused::BrowserGone => AppError::not_found("That browser is not remembered any more."),
            Refused::SessionGone => AppError::not_found("That session has already ended."),
        }
    }
}

/// A notice as its reader reads it; text stored before notices had kinds, as it is.
pub fn notice(stored: &str) -> String {
    match Notice::parse(stored) {
        Some(Notice::TwoFactorReset { actor, actor_email, actor_role, org, org_requires, at }) => {
            let role = if actor_role == Role::Owner { "an owner" } else { "an admin" };
            let required = if org_requires { format!(": {org} requires it") } else { String::new() };
            format!(
                "{actor} ({actor_email}), {role} of {org}, reset your two-factor authentication on {}. Set it up again \
                 on your Account page{required}. If you did not ask for this, tell the owners of your organizations.",
                format_date(at),
            )
        }
        Some(Notice::SecurityKeyAdded { name, at }) => format!(
            "A security key or passkey (\"{name}\") was added to your account on {}, and your other sessions were \
             signed out. If this was not you, remove it on your Account page and change your password.",
            format_date(at),
        ),
        None => stored.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_from_a_clock_minutes_off_says_which_way_and_how_far() {
        let behind = AppError::from(Refused::ClockOff { minutes: -5 });
        assert_eq!(behind.status(), 422);
        assert!(behind.to_string().contains("Your device's clock looks 5 minutes behind the server's"), "{behind}");
        assert_eq!(clock_off(1), "Your device's clock looks 1 minute ahead of the server's (or the server's is off). ");
    }

    #[test]
    fn each_refusal_is_answered_with_its_status_and_field() {
        assert_eq!(AppError::from(Refused::SlugTaken { slug: "acme".into() }).field_message("slug").is_some(), true);
        assert_eq!(AppError::from(Refused::LastOwner(LastOwnerWrite::Remove)).status(), 409);
        assert_eq!(AppError::from(Refused::NotAMember).status(), 404);
        assert_eq!(AppError::from(Refused::Policy(Refusal::OwnersOnlyGrantOwner)).status(), 403);
        assert_eq!(
            AppError::from(Refused::WrongPassword).field_message("password").as_deref(),
            Some("That password is not right.")
        );
    }

    #[test]
    fn owners_without_two_factor_are_named_with_their_email() {
        let ann = crate::model::User { id: 1, name: "Ann".into(), email: "ann@example.com".into() };
        let error = AppError::from(Refusal::MustEnrollFirst(vec![ann]));
        assert!(error.to_string().ends_with("Without it: Ann (ann@example.com)."), "{error}");
    }
}
