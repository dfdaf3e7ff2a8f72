//! Reading request bodies and query strings into clear 4xx refusals: the
//! body limit, the media type, malformed JSON, wrong types, unknown fields,
//! bad cursors.

use app::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::{header, StatusCode};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ApiError, BODY_LIMIT};

/// The raw body, read before the gate and parsed after it (`Body::json`),
/// so that an organization route refuses a non-compliant member with the
/// same 403 whatever the body holds.
pub struct Body {
    bytes: Bytes,
    json: bool,
}

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge {
                    message: format!("The request body is over the limit of {BODY_LIMIT} bytes."),
                }
            } else {
                AppError::BadRequest { message: format!("The request body could not be read: {rejection}") }
            }
        })?;
        Ok(Body { bytes, json })
    }
}

impl Body {
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        if !self.json {
            return Err(AppError::UnsupportedMediaType {
                message: "Send the body as JSON, with Content-Type: application/json.".to_string(),
            }
            .into());
        }
        let mut de = serde_json::Deserializer::from_slice(&self.bytes);
        let value = T::deserialize(&mut de).and_then(|v| de.end().map(|()| v));
        value.map_err(|e| {
            let message = format!("The JSON body is not valid for this request: {e}.");
            let error =
                if e.is_data() { AppError::validation("body", message) } else { AppError::BadRequest { message } };
            ApiError(error)
        })
    }
}

/// `?cursor=…&limit=…` of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `next_cursor` of the previous page; omit for the first.
    pub cursor: Option<String>,
    /// Entries per page, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

pub const DEFAULT_LIMIT: i64 = 50;

/// A page request, checked.
pub struct PageRequest {
    /// Entries with keys below (logs) or above (lists) this one.
    pub after: Option<i64>,
    pub limit: i64,
}

impl PageQuery {
    pub fn from_uri(uri: &http::Uri) -> Result<PageRequest, ApiError> {
        let query = axum::extract::Query::<PageQuery>::try_from_uri(uri)
            .map_err(|e| AppError::BadRequest { message: format!("The query string is not valid: {e}") })?
            .0;
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=100).contains(&limit) {
            return Err(AppError::BadRequest { message: "limit must be between 1 and 100.".to_string() }.into());
        }
        let after = query.cursor.as_deref().map(decode_cursor).transpose()?;
        Ok(PageRequest { after, limit })
    }
}

const CURSOR_TAG: &str = "pcl1:";

pub fn encode_cursor(key: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_TAG}{key}"))
}

fn decode_cursor(cursor: &str) -> Result<i64, ApiError> {
    let bad = || AppError::BadRequest {
        message: "The cursor is not one this API gave out: pass next_cursor from the previous page unchanged."
            .to_string(),
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let key = text.strip_prefix(CURSOR_TAG).and_then(|n| n.parse::<i64>().ok()).ok_or_else(bad)?;
    Ok(key)
}

/// A path's numeric id, with a clear refusal.
pub fn id(raw: &str) -> Result<i64, ApiError> {
    raw.trim()
        .parse::<i64>()
        .map_err(|_| ApiError(AppError::BadRequest { message: format!("\"{raw}\" is not a member id.") }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cursor_round_trips_and_a_forged_one_is_refused() {
        assert_eq!(super::decode_cursor(&super::encode_cursor(42)).ok(), Some(42));
        assert!(super::decode_cursor("42").is_err());
        assert!(super::decode_cursor("!!").is_err());
    }
}
