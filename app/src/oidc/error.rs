//! The errors of OAuth 2.0 (RFC 6749, 7009) and OpenID Connect Core, as
//! the client reads them: a code from the specifications and a sentence.

use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidRequest,
    UnauthorizedClient,
    AccessDenied,
    UnsupportedResponseType,
    InvalidScope,
    ServerError,
    TemporarilyUnavailable,
    LoginRequired,
    ConsentRequired,
    InteractionRequired,
    RequestNotSupported,
    RequestUriNotSupported,
    RegistrationNotSupported,
    InvalidClient,
    InvalidGrant,
    UnsupportedGrantType,
    InvalidToken,
    UnsupportedTokenType,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::AccessDenied => "access_denied",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::InteractionRequired => "interaction_required",
            Self::RequestNotSupported => "request_not_supported",
            Self::RequestUriNotSupported => "request_uri_not_supported",
            Self::RegistrationNotSupported => "registration_not_supported",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidToken => "invalid_token",
            Self::UnsupportedTokenType => "unsupported_token_type",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub code: ErrorCode,
    pub description: String,
    /// Seconds to wait, for a refusal by the rate limit.
    pub retry_after_secs: Option<u64>,
}

impl OAuthError {
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Self { code, description: description.into(), retry_after_secs: None }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidGrant, description)
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidClient, description)
    }

    pub fn server_error() -> Self {
        Self::new(ErrorCode::ServerError, "Something went wrong on our side. Please try again.")
    }

    /// The status of a token, revocation or userinfo response carrying it (RFC 6749 §5.2, RFC 6750 §3.1).
    pub fn status(&self) -> u16 {
        match self.code {
            ErrorCode::InvalidClient | ErrorCode::InvalidToken => 401,
            ErrorCode::ServerError => 500,
            ErrorCode::TemporarilyUnavailable if self.retry_after_secs.is_some() => 429,
            ErrorCode::TemporarilyUnavailable => 503,
            _ => 400,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        json!({ "error": self.code.as_str(), "error_description": self.description })
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.description)
    }
}

impl From<crate::error::AppError> for OAuthError {
    fn from(err: crate::error::AppError) -> Self {
        use crate::error::AppError;
        match err {
            AppError::RateLimited { retry_after_secs } | AppError::Busy { retry_after_secs } => Self {
                code: ErrorCode::TemporarilyUnavailable,
                description: format!("Too many attempts. Try again in {retry_after_secs} seconds."),
                retry_after_secs: Some(retry_after_secs),
            },
            _ => Self::server_error(),
        }
    }
}

impl From<sqlx::Error> for OAuthError {
    fn from(err: sqlx::Error) -> Self {
        crate::error::AppError::from(err).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_specifications() {
        assert_eq!(OAuthError::invalid_client("x").status(), 401);
        assert_eq!(OAuthError::invalid_grant("x").status(), 400);
        assert_eq!(OAuthError::new(ErrorCode::UnsupportedGrantType, "x").status(), 400);
        assert_eq!(OAuthError::server_error().status(), 500);
        let limited = OAuthError::from(crate::error::AppError::RateLimited { retry_after_secs: 30 });
        assert_eq!((limited.status(), limited.retry_after_secs), (429, Some(30)));
        assert_eq!(OAuthError::invalid_grant("no").to_json()["error"], "invalid_grant");
    }
}
