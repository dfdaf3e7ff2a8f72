//! The words of the REST API's and OpenID Connect's refusals.

use crate::api_access::CredentialKind;
use crate::error::AppError;
use crate::model::format_date;
use crate::server::refusals::{CredentialsRefused, LogoutRefused};

pub fn credentials_refused(why: CredentialsRefused) -> String {
    let noun = |kind| match kind {
        CredentialKind::PersonalAccessToken => "token",
        CredentialKind::ApplicationPassword => "application password",
    };
    match why {
        CredentialsRefused::Missing => "Authenticate with \"Authorization: Bearer <personal access token>\", or HTTP \
                                        Basic with your email and an application password."
            .to_string(),
        CredentialsRefused::UnsupportedScheme => "Unsupported authorization scheme: use Bearer or Basic.".to_string(),
        CredentialsRefused::AppPasswordNeedsBasic => {
            "An application password works only with HTTP Basic, as your account's password.".to_string()
        }
        CredentialsRefused::NotAToken => {
            "That is not a Portcullis personal access token (pcl_pat_…): check that it was copied whole.".to_string()
        }
        CredentialsRefused::InvalidToken => "This token is not valid.".to_string(),
        CredentialsRefused::Revoked(kind) => format!("This {} has been revoked.", noun(kind)),
        CredentialsRefused::Expired(kind, at) => format!("This {} expired on {}.", noun(kind), format_date(at)),
        CredentialsRefused::MalformedBasic => {
            "The Basic credentials are malformed: send base64(email:password).".to_string()
        }
        CredentialsRefused::TwoFactorNeedsToken { email } => format!(
            "Two-factor authentication is enabled for {email}: use a personal access token or an application password"
        ),
    }
}

pub fn logout_refused(why: LogoutRefused) -> AppError {
    let (field, message) = match why {
        LogoutRefused::HintNotOurs => ("id_token_hint", "The id_token_hint is not an ID token we issued."),
        LogoutRefused::HintFromElsewhere => ("id_token_hint", "The id_token_hint was issued by someone else."),
        LogoutRefused::ClientIdMismatch => ("client_id", "The client_id differs from the id_token_hint's audience."),
        LogoutRefused::UnknownClientId => ("client_id", "Unknown application."),
        LogoutRefused::RedirectNeedsClient => {
            ("post_logout_redirect_uri", "A post_logout_redirect_uri needs a client_id or an id_token_hint.")
        }
        LogoutRefused::RedirectNotRegistered => {
            ("post_logout_redirect_uri", "This post_logout_redirect_uri is not registered for the application.")
        }
    };
    AppError::validation(field, message)
}
