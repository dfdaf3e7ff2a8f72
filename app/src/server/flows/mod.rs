//! Use cases: one function for each thing a person does. Each takes the
//! context (`Ctx`: state, where the request came from, the time), the actor,
//! and its input; decides with the rules of `policy.rs`; makes its change in
//! ONE transaction together with the change's audit or security-log row;
//! and returns a typed outcome (a refusal is a `Refused`, worded in
//! `wording.rs`). Server functions, the CSV route and REST routes only adapt:
//! read the request, call a use case, set cookies, redirect.
//!
//! Second-factor checks take their attempt before the transaction and claim
//! the code inside it (`second_factor::Challenge`), so a code is used up only
//! by the change it authorizes. No use case writes through the pool while
//! its transaction is open (SQLite has one writer).

pub mod account;
pub mod adding_a_factor;
pub mod api_tokens;
pub mod backup_codes;
pub mod enrollment;
pub mod invitations;
pub mod key_confirmation;
pub mod key_login;
pub mod member_reset;
pub mod orgs;
pub mod security_keys;
pub mod two_factor;

use super::events::RequestMeta;
use super::second_factor::{Challenge, Claim, Factor};
use super::{AppState, Db};
use crate::error::AppResult;

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

    /// The use case's one transaction (see `db::begin_write`).
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        super::db::begin_write(&self.state.db).await
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

/// A use case's transaction in which a second factor was just used: the
/// code is used up only if this commits.
pub struct Authorized {
    pub tx: Tx,
    pub factor: Factor,
    challenge: Challenge,
}

impl Ctx<'_> {
    /// Begins the use case's transaction by claiming the challenge's code in
    /// it; a wrong code rolls it back and counts the failure.
    pub async fn begin_with_code(&self, challenge: Challenge) -> AppResult<Authorized> {
        let mut tx = self.begin().await?;
        match challenge.claim(&mut tx, self.state, self.meta).await? {
            Claim::Used(factor) => Ok(Authorized { tx, factor, challenge }),
            Claim::NotAsked | Claim::Wrong => {
                tx.rollback().await?;
                Err(challenge.failed(self.state, self.meta).await)
            }
        }
    }
}

impl Authorized {
    pub async fn commit(self, cx: &Ctx<'_>) -> AppResult<()> {
        self.tx.commit().await?;
        self.challenge.passed(cx.state, Claim::Used(self.factor)).await
    }

    /// The change cannot happen after all (overtaken by another request):
    /// nothing is written and the attempt is given back.
    pub async fn abandon(self, cx: &Ctx<'_>) -> AppResult<()> {
        self.tx.rollback().await?;
        self.challenge.passed(cx.state, Claim::NotAsked).await
    }
}

/// A signed-in member acting inside one organization, with the role the
/// organization gate found (conditional writes check it is still so).
#[derive(Debug, Clone, Copy)]
pub struct InOrg<'a> {
    pub user: &'a crate::model::User,
    pub org: &'a crate::model::OrgSummary,
}

impl InOrg<'_> {
    pub fn actor(&self) -> super::orgs::Actor {
        super::orgs::Actor { org_id: self.org.id, user_id: self.user.id, role: self.org.my_role }
    }
}
