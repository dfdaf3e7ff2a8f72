//! Who may sign in to an application: the members of its organization and of
//! the organizations it admits besides, each under the rules (required 2FA,
//! verified addresses) of every organization they are admitted through.
//! The authorization endpoint asks at sign-in; the token endpoints at each refresh.

use crate::error::AppResult;
use crate::server::db::Db;
use crate::server::guards::compliance;
use crate::server::store::oidc::clients::{self, Client};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Admission {
    /// A member of the client's organization or of one it admits.
    pub member: bool,
    /// One of those organizations requires 2FA (with its factors) that the person lacks.
    pub org_refuses: bool,
    /// One of them requires a verified address, and theirs is not.
    pub unverified: bool,
}

pub async fn admission(db: &Db, client: &Client, user_id: i64, now: i64) -> AppResult<Admission> {
    let orgs = clients::admitting_orgs(db, client, user_id).await?;
    let mut admission = Admission { member: !orgs.is_empty(), ..Admission::default() };
    for org in orgs {
        admission.org_refuses |= compliance::standing(db, org, user_id, now).await?.is_refused();
        admission.unverified |= compliance::unverified_refused(db, org, user_id).await?;
    }
    Ok(admission)
}

/// The names of the organizations whose members the client admits, its own first: "Acme or Beta".
pub async fn admitted_names(db: &Db, client: &Client, own: &str) -> AppResult<String> {
    let mut names = vec![own.to_string()];
    names.extend(clients::admitted_orgs(db, client.id).await?.into_iter().map(|(_, _, name)| name));
    Ok(names.join(" or "))
}
