//! Use cases: one function for each thing a person does. Each takes the
//! context (`Ctx`: state, where the request came from, the time), the actor,
//! and its input; decides with the rules of `policy.rs`; makes its change in
//! ONE transaction together with the change's audit or security-log row;
//! and returns a typed outcome (a refusal is a `Refused`, worded in
//! `wording.rs`). Server functions, the CSV route and REST routes only adapt:
//! read the request, call a use case, set cookies, redirect.
//!
//! A change is made in a unit of work (`work::Work`): second-factor checks
//! take their attempt before it and claim the code inside it, so a code is
//! used up only by the change it authorizes, and the unit settles the
//! attempt on every path. No use case writes through the pool while its
//! transaction is open (SQLite has one writer).

pub mod account;
pub mod api_tokens;
pub mod applications;
pub mod backup_codes;
pub mod email;
pub mod enrollment;
pub mod invitations;
pub mod key_confirmation;
pub mod key_login;
pub mod member_reset;
pub mod members;
pub mod oidc;
pub mod operator;
pub mod orgs;
pub mod password;
pub mod reauthentication;
pub mod security_keys;
pub mod sessions;
pub mod sms;
pub mod two_factor;
pub mod upstream;
pub mod work;

pub use work::Work;

use super::store::events::RequestMeta;
use super::{AppState, Db};

pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// What every use case is given besides its actor and input.
pub struct Ctx<'a> {
    pub state: &'a AppState,
    pub meta: &'a RequestMeta,
    /// The request's time, read once.
    pub now: i64,
}

impl<'a> Ctx<'a> {
    pub fn new(state: &'a AppState, meta: &'a RequestMeta) -> Self {
        Self { state, meta, now: state.clock.now() }
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }
}

/// The signed-in user acting through one session (enrollment and 2FA
/// changes are bound to it).
#[derive(Debug, Clone, Copy)]
pub struct InSession<'a> {
    pub user: &'a crate::model::User,
    /// The hash of the session's token, as stored.
    pub session_hash: &'a str,
}

/// A new session whose token the adapter hands to the browser as a cookie.
#[derive(Debug)]
pub struct NewSession {
    pub token: String,
}

/// A signed-in member acting inside one organization, with the role the
/// organization gate found (conditional writes check it is still so).
#[derive(Debug, Clone, Copy)]
pub struct InOrg<'a> {
    pub user: &'a crate::model::User,
    pub org: &'a crate::model::OrgSummary,
    /// The hash of the session's token when the member acts through one
    /// (pages and server functions; not REST).
    pub session_hash: Option<&'a str>,
}

impl InOrg<'_> {
    pub fn actor(&self) -> super::store::orgs::Actor {
        super::store::orgs::Actor { org_id: self.org.id, user_id: self.user.id, role: self.org.my_role }
    }
}
