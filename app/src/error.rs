//! The one error type users see. Server functions return it as JSON; the UI
//! shows its `Display` text, which is always written for a person.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AppError {
    /// One input broke a rule; `field` names the form field.
    #[error("{message}")]
    Validation {
        field: String,
        message: String,
        /// A stable code for the refusal (`Refused::reason`), for the UI and clients to branch on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Deliberately vague: never says whether the email exists.
    #[error("Invalid email or password")]
    InvalidCredentials,
    #[error("Please log in to continue.")]
    Unauthenticated,
    /// The REST API's refusal of the credentials a request carried (or their absence).
    #[error("{message}")]
    Unauthorized {
        message: String,
        /// A stable code for the refusal (`Refused::reason`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    #[error("{message}")]
    Forbidden {
        message: String,
        /// A stable code for the refusal (`Refused::reason`), for the UI and clients to branch on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    #[error("{message}")]
    NotFound {
        message: String,
        /// A stable code for the refusal (`Refused::reason`), for the UI and clients to branch on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    #[error("{message}")]
    Conflict {
        message: String,
        /// A stable code for the refusal (`Refused::reason`), for the UI and clients to branch on.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The organization requires 2FA and the grace period is over.
    #[error("{org} requires two-factor authentication. Set it up to continue.")]
    TwoFactorRequired { org: String, slug: String },
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// Every password check is taken: refused at once rather than queued for long.
    #[error("Portcullis is busy right now. Try again in a few seconds.")]
    Busy { retry_after_secs: u64 },
    /// A request body over the limit.
    #[error("{message}")]
    PayloadTooLarge { message: String },
    /// A body of a kind the endpoint does not take.
    #[error("{message}")]
    UnsupportedMediaType { message: String },
    /// The request itself was malformed (missing or undecodable arguments).
    #[error("{message}")]
    BadRequest { message: String },
    /// The browser could not reach the server or read its answer.
    #[error("Could not reach Portcullis: {message}")]
    Network { message: String },
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
}

impl AppError {
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self::Validation { field: field.to_string(), message: message.into(), reason: None }
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::Forbidden { message: message.into(), reason: None }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::NotFound { message: message.into(), reason: None }
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict { message: message.into(), reason: None }
    }

    /// The same error with a stable reason code on the wire.
    #[must_use]
    pub fn because(mut self, code: &str) -> Self {
        match &mut self {
            Self::Validation { reason, .. }
            | Self::Unauthorized { reason, .. }
            | Self::Forbidden { reason, .. }
            | Self::NotFound { reason, .. }
            | Self::Conflict { reason, .. } => *reason = Some(code.to_string()),
            _ => {}
        }
        self
    }

    /// The refusal's stable reason code, when it has one: what the UI branches on, never the words.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Validation { reason, .. }
            | Self::Unauthorized { reason, .. }
            | Self::Forbidden { reason, .. }
            | Self::NotFound { reason, .. }
            | Self::Conflict { reason, .. } => reason.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Validation { .. } => 422,
            Self::BadRequest { .. } => 400,
            Self::UnsupportedMediaType { .. } => 415,
            Self::InvalidCredentials | Self::Unauthenticated | Self::Unauthorized { .. } => 401,
            Self::PayloadTooLarge { .. } => 413,
            Self::Forbidden { .. } | Self::TwoFactorRequired { .. } => 403,
            Self::NotFound { .. } => 404,
            Self::Conflict { .. } => 409,
            Self::RateLimited { .. } => 429,
            Self::Busy { .. } => 503,
            Self::Network { .. } => 502,
            Self::Internal => 500,
        }
    }

    /// For the `Retry-After` header.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_secs } | Self::Busy { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        }
    }

    /// For forms: the message belonging to `field`, if this error is about it.
    pub fn field_message(&self, name: &str) -> Option<String> {
        match self {
            Self::Validation { field, message, .. } if field == name => Some(message.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::Deserialization(m) => {
                Self::BadRequest { message: format!("The request could not be read: {m}") }
            }
            ServerFnErrorErr::MissingArg(m) => Self::BadRequest { message: format!("Missing field: {m}") },
            ServerFnErrorErr::Registration(_) | ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                Self::not_found("No such action.")
            }
            ServerFnErrorErr::Request(m) | ServerFnErrorErr::Response(m) => Self::Network { message: m },
            _ => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error");
        Self::Internal
    }
}

pub type AppResult<T> = Result<T, AppError>;
