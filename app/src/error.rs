//! The one error type users see. Server functions return it as JSON; the UI
//! shows its `Display` text, which is always written for a person.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Written as JSON with its variant in `code` (an internally tagged enum);
/// read back through `Wire`, a flat struct, so that the browser bundle does not
/// carry serde's buffering of internally tagged enums.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
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
    /// The database does not answer (restarting, unreachable) or cannot write (disk full):
    /// nothing was saved, and the request may be tried again.
    #[error("{message}")]
    Unavailable { message: String, retry_after_secs: u64 },
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
            Self::Busy { .. } | Self::Unavailable { .. } => 503,
            Self::Network { .. } => 502,
            Self::Internal => 500,
        }
    }

    /// For the `Retry-After` header.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::RateLimited { retry_after_secs }
            | Self::Busy { retry_after_secs }
            | Self::Unavailable { retry_after_secs, .. } => Some(*retry_after_secs),
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

/// Every field any variant has, each optional: what `AppError` is read from.
#[derive(Deserialize)]
struct Wire {
    code: String,
    field: Option<String>,
    message: Option<String>,
    reason: Option<String>,
    org: Option<String>,
    slug: Option<String>,
    retry_after_secs: Option<u64>,
}

impl<'de> Deserialize<'de> for AppError {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let w = Wire::deserialize(deserializer)?;
        let missing = |name: &'static str| D::Error::missing_field(name);
        let message = || w.message.clone().ok_or_else(|| missing("message"));
        let retry = || w.retry_after_secs.ok_or_else(|| missing("retry_after_secs"));
        let reason = w.reason.clone();
        Ok(match w.code.as_str() {
            "validation" => Self::Validation {
                field: w.field.clone().ok_or_else(|| missing("field"))?,
                message: message()?,
                reason,
            },
            "invalid_credentials" => Self::InvalidCredentials,
            "unauthenticated" => Self::Unauthenticated,
            "unauthorized" => Self::Unauthorized { message: message()?, reason },
            "forbidden" => Self::Forbidden { message: message()?, reason },
            "not_found" => Self::NotFound { message: message()?, reason },
            "conflict" => Self::Conflict { message: message()?, reason },
            "two_factor_required" => Self::TwoFactorRequired {
                org: w.org.clone().ok_or_else(|| missing("org"))?,
                slug: w.slug.clone().ok_or_else(|| missing("slug"))?,
            },
            "rate_limited" => Self::RateLimited { retry_after_secs: retry()? },
            "busy" => Self::Busy { retry_after_secs: retry()? },
            "unavailable" => Self::Unavailable { message: message()?, retry_after_secs: retry()? },
            "payload_too_large" => Self::PayloadTooLarge { message: message()? },
            "unsupported_media_type" => Self::UnsupportedMediaType { message: message()? },
            "bad_request" => Self::BadRequest { message: message()? },
            "network" => Self::Network { message: message()? },
            "internal" => Self::Internal,
            other => return Err(D::Error::unknown_variant(other, &["validation", "forbidden", "internal"])),
        })
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
        match database_trouble(&err) {
            Some(DatabaseTrouble::Down) => Self::Unavailable {
                message: "The database is not answering right now, so nothing was saved. Try again in a few seconds."
                    .into(),
                retry_after_secs: 5,
            },
            Some(DatabaseTrouble::Full) => Self::Unavailable {
                message: "The server's disk is full, so nothing was saved. Try again later.".into(),
                retry_after_secs: 60,
            },
            None => Self::Internal,
        }
    }
}

#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DatabaseTrouble {
    /// Unreachable, restarting, shutting down, or no connection free in time.
    Down,
    /// No room to write (SQLite's SQLITE_FULL, PostgreSQL's disk_full).
    Full,
}

/// What went wrong with the database that is not the request's fault nor a bug:
/// the request fails fast with 503 (and `Retry-After`) instead of a 500.
#[cfg(feature = "ssr")]
fn database_trouble(err: &sqlx::Error) -> Option<DatabaseTrouble> {
    match err {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
            Some(DatabaseTrouble::Down)
        }
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or_default();
            // PostgreSQL: class 08 connection exception, 57P0x shutting down / cannot connect now,
            // 53300 too many connections; 53100 disk full. SQLite: 13 (or 13 extended) full.
            if code.starts_with("08") || code.starts_with("57P0") || code == "53300" {
                Some(DatabaseTrouble::Down)
            } else if code == "53100" || code == "13" || db.message().contains("database or disk is full") {
                Some(DatabaseTrouble::Full)
            } else {
                None
            }
        }
        _ => None,
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::AppError;

    #[cfg(feature = "ssr")]
    #[test]
    fn a_database_that_does_not_answer_is_a_503_to_retry_not_a_500() {
        let down = AppError::from(sqlx::Error::PoolTimedOut);
        assert_eq!((down.status(), down.retry_after_secs()), (503, Some(5)));
        assert!(down.to_string().starts_with("The database is not answering right now"));
        let io = AppError::from(sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)));
        assert_eq!(io.status(), 503);
        assert_eq!(AppError::from(sqlx::Error::RowNotFound), AppError::Internal, "a bug stays a 500");
    }

    #[test]
    fn every_error_reads_back_as_it_was_written() {
        let reason = Some("why".to_string());
        let all = [
            AppError::Validation { field: "f".into(), message: "m".into(), reason: reason.clone() },
            AppError::Validation { field: "f".into(), message: "m".into(), reason: None },
            AppError::InvalidCredentials,
            AppError::Unauthenticated,
            AppError::Unavailable { message: "m".into(), retry_after_secs: 5 },
            AppError::Unauthorized { message: "m".into(), reason: reason.clone() },
            AppError::Forbidden { message: "m".into(), reason: reason.clone() },
            AppError::NotFound { message: "m".into(), reason: None },
            AppError::Conflict { message: "m".into(), reason },
            AppError::TwoFactorRequired { org: "Acme".into(), slug: "acme".into() },
            AppError::RateLimited { retry_after_secs: 7 },
            AppError::Busy { retry_after_secs: 2 },
            AppError::PayloadTooLarge { message: "m".into() },
            AppError::UnsupportedMediaType { message: "m".into() },
            AppError::BadRequest { message: "m".into() },
            AppError::Network { message: "m".into() },
            AppError::Internal,
        ];
        for error in all {
            let json = serde_json::to_string(&error).unwrap_or_default();
            let back: AppError = serde_json::from_str(&json).unwrap_or(AppError::Unauthenticated);
            assert_eq!(back, error, "{json}");
        }
    }

    #[test]
    fn an_unknown_code_or_a_missing_field_is_an_error_not_a_guess() {
        assert!(serde_json::from_str::<AppError>(r#"{"code":"teapot"}"#).is_err());
        assert!(serde_json::from_str::<AppError>(r#"{"code":"forbidden"}"#).is_err());
        assert!(serde_json::from_str::<AppError>(r#"{"message":"m"}"#).is_err());
    }
}
