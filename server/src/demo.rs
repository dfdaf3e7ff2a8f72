//! `portcullis demo`: a populated organization for a first look.

use app::model::Role;
use app::server::flows::{self, orgs::NewOrg, Ctx};
use app::server::store::events::RequestMeta;
use app::server::store::ids::{OrgId, UserId};
use app::server::{store::orgs, store::users, AppState};
use rand::Rng;

const DEMO_ORG: (&str, &str) = ("Acme Corp", "acme");
const DEMO_USERS: [(&str, &str, Role); 4] = [
    ("Alice Owner", "alice@example.com", Role::Owner),
    ("Bob Admin", "bob@example.com", Role::Admin),
    ("Carol Member", "carol@example.com", Role::Member),
    ("Dave Member", "dave@example.com", Role::Member),
];

fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..16).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// Creates (or gives fresh passwords to) the demo users and their organization.
pub async fn seed(state: &AppState) -> Result<(), app::error::AppError> {
    let now = state.clock.now();
    let db = &state.db;
    let mut credentials = Vec::new();
    let mut people = Vec::new();
    for (name, email, role) in DEMO_USERS {
        let password = random_password();
        let hash = state.hasher.hash(password.clone()).await?;
        let user = match users::find_by_email(db, email).await? {
            Some(user) => {
                users::set_password(db, user.id, &hash).await?;
                user
            }
            None => users::create(db, name, email, &hash, now).await?,
        };
        people.push((user, role));
        credentials.push((email, password, role));
    }
    let Some((owner, _)) = people.first() else { return Ok(()) };
    let org = match orgs::find_for_member(db, DEMO_ORG.1, owner.id).await? {
        Some(org) => org,
        None => {
            let meta = RequestMeta::default();
            let new_org = NewOrg { name: DEMO_ORG.0.to_string(), slug: DEMO_ORG.1.to_string() };
            flows::orgs::create(&Ctx::new(state, &meta), owner, new_org).await?
        }
    };
    for (user, role) in people.iter().skip(1) {
        if orgs::role_of(db, OrgId(org.id), UserId(user.id)).await?.is_none() {
            orgs::add_member(db, org.id, user.id, *role, now).await?;
        }
    }
    println!("\nDemo organization \"{}\" is ready. Log in as any of:", DEMO_ORG.0);
    for (email, password, role) in credentials {
        println!("  {email:<20} {password}   ({})", role.label());
    }
    println!();
    Ok(())
}
