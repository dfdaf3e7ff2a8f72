//! Typed ids for the repository functions that take both an organization
//! and a person, so that the two can never be passed the wrong way round.

/// An organization's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrgId(pub i64);

/// An account's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserId(pub i64);
