//! The member list as the person asking may see it: the Members tab, the
//! REST members list and the CSV export all read it here, so that what a
//! plain member sees, and what "complies" means, is decided once.

use std::collections::HashMap;

use super::{Ctx, InOrg};
use crate::error::AppResult;
use crate::factors::compliance::complies;
use crate::model::Member;
use crate::policy::{self, ManagerTask};
use crate::server::{store::api_tokens, store::orgs};

/// The members by name. Owners and admins also get each one's email, 2FA
/// status, whether that 2FA is of a kind the organization allows, and how
/// many live API credentials they hold; plain members get names and roles.
pub async fn list(cx: &Ctx<'_>, m: InOrg<'_>) -> AppResult<Vec<Member>> {
    let rows = orgs::members(cx.db(), m.org.id).await?;
    if policy::may_manage(m.org.my_role, ManagerTask::ManageMembers).is_err() {
        let plain = |row: orgs::MemberRow| Member {
            user_id: row.user_id,
            name: row.name,
            email: None,
            role: row.role,
            two_factor: None,
            complies: None,
            signs_in_with: None,
            active_tokens: None,
        };
        return Ok(rows.into_iter().map(plain).collect());
    }
    let rule = orgs::two_factor_rule(cx.db(), m.org.id).await?;
    let providers = crate::server::store::upstream::identities::names_by_member(cx.db(), m.org.id).await?;
    let counts: HashMap<i64, i64> = api_tokens::active_counts(cx.db(), m.org.id, cx.now).await?.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|row| Member {
            complies: Some(complies(row.account(), rule)),
            // The Hub seed's other way to comply: no password, only a provider (or a passkey).
            signs_in_with: (!row.has_password).then(|| providers.get(&row.user_id).cloned().unwrap_or_default()),
            user_id: row.user_id,
            name: row.name,
            email: Some(row.email),
            role: row.role,
            two_factor: Some(!row.held.is_empty()),
            active_tokens: Some(counts.get(&row.user_id).copied().unwrap_or(0)),
        })
        .collect())
}
