//! The parameters of an organization's audit row: stored as JSON in
//! `audit_events.detail`, worded when the log is read (`words::audit`), so
//! a rewording reaches the rows already written.

use serde_json::{Map, Value};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Detail(Map<String, Value>);

impl Detail {
    pub fn new() -> Self {
        Self::default()
    }

    #[must_use]
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.to_string(), value.into());
        self
    }

    /// As stored: a JSON object.
    pub fn stored(&self) -> String {
        Value::Object(self.0.clone()).to_string()
    }

    /// A stored detail; `None` for text written before details had parameters.
    pub fn parse(stored: &str) -> Option<Self> {
        match serde_json::from_str(stored) {
            Ok(Value::Object(map)) => Some(Self(map)),
            _ => None,
        }
    }

    pub fn text(&self, key: &str) -> &str {
        self.0.get(key).and_then(Value::as_str).unwrap_or_default()
    }

    pub fn number(&self, key: &str) -> Option<i64> {
        self.0.get(key).and_then(Value::as_i64)
    }

    pub fn flag(&self, key: &str) -> bool {
        self.0.get(key).and_then(Value::as_bool).unwrap_or(false)
    }

    pub fn list(&self, key: &str) -> Vec<&str> {
        self.0
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }
}
