//! What a person reads when signing in through another identity provider did not work.

use crate::error::AppError;
use crate::server::refusals::UpstreamRefused;

pub(super) fn words(why: UpstreamRefused) -> AppError {
    use UpstreamRefused::*;
    match why {
        UnknownProvider => AppError::not_found("This server has no such sign-in provider."),
        Unavailable { provider, why } => {
            AppError::conflict(format!("{provider} is unavailable right now: {why} Sign in another way or try again later."))
        }
        StateMismatch => AppError::validation(
            "state",
            "This sign-in was not started in this browser, took longer than 10 minutes, or was completed already. Start again.",
        ),
        ProviderSaid { provider, error, description } => {
            let what = match error.as_str() {
                "access_denied" => format!("{provider} did not sign you in (you cancelled, or it refused)."),
                "login_required" | "interaction_required" | "consent_required" => {
                    format!("{provider} needs you to sign in there first.")
                }
                _ => format!("{provider} answered with an error ({error})."),
            };
            let detail = description.map(|d| format!(" It said: \u{201c}{d}\u{201d}")).unwrap_or_default();
            AppError::validation("provider", format!("{what}{detail} Nothing was changed."))
        }
        IssuerMismatch { provider } => AppError::validation(
            "provider",
            format!("The answer did not come from {provider} (its issuer did not match). Nothing was changed."),
        ),
        InvalidToken { provider } => AppError::validation(
            "provider",
            format!("{provider}'s answer could not be verified (its signature, audience, nonce or age). Nothing was changed."),
        ),
        EmailCollision { provider } => AppError::conflict(format!(
            "Sign in with your password and connect {provider} from your Account page."
        )),
        NoLinkedAccount { provider, email_unverified: true } => AppError::forbidden(format!(
            "{provider} did not confirm your email address, so no account was made. Sign in with your password and connect {provider} from your Account page."
        )),
        NoLinkedAccount { provider, email_unverified: false } => AppError::forbidden(format!(
            "No account here is connected to your {provider} account. Sign in with your password and connect {provider} from your Account page."
        )),
        LastWayToSignIn => AppError::conflict(
            "That would leave your account with no way to sign in. Connect a provider or add a passkey first.",
        ),
        SignInAgainToConnect => AppError::forbidden(
            "To connect a provider, sign out and sign in again, then connect it within 10 minutes.",
        ),
        NoPassword => AppError::conflict("Your account has no password."),
        NotConnected => AppError::not_found("Your account is not connected to that provider."),
    }
}
