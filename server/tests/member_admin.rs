//! Managing members: who may change whose role, writes that hold under
//! concurrency, and the narrow, loud reset of a member's 2FA.

mod common;

use app::model::Role;
use app::server::refusals::{LastOwnerWrite, Refused};
use app::server::store::orgs::{self, Actor};
use common::{code_now, enroll, join_org, ok, Backend, Client, Enrolled, TestServer};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    admins_cannot_demote_or_remove_another_admin,
    a_role_change_decided_on_a_stale_reading_changes_nothing,
    concurrent_role_changes_never_overwrite_a_fresh_owner,
    a_reset_needs_an_actor_with_two_factor_and_their_current_code,
    nobody_resets_a_manager_of_another_organization,
    a_reset_is_told_to_the_member_and_every_organization_they_belong_to,
);

struct Person {
    client: Client,
    email: String,
    id: i64,
}

async fn person(server: &TestServer, name: &str) -> Person {
    let (client, email) = server.user(name).await;
    let id = client.me().await["id"].as_i64().unwrap();
    Person { client, email, id }
}

async fn role_of(server: &TestServer, slug: &str, user_id: i64) -> Option<String> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT m.role FROM memberships m JOIN organizations o ON o.id = m.org_id WHERE o.slug = $1 AND m.user_id = $2",
    )
    .bind(slug)
    .bind(user_id)
    .fetch_optional(&server.db().await)
    .await
    .unwrap();
    row.map(|r| r.0)
}

async fn change_role(c: &Client, user_id: i64, role: &str) -> (StatusCode, Value) {
    c.call("change_role", &[("slug", "acme"), ("user_id", &user_id.to_string()), ("role", role)]).await
}

async fn reset(c: &Client, slug: &str, user_id: i64, code: &str) -> (StatusCode, Value) {
    c.call(
        "reset_member_two_factor",
        &[("slug", slug), ("user_id", &user_id.to_string()), ("password", common::PASSWORD), ("code", code)],
    )
    .await
}

/// A code the actor's app shows at a step not used yet.
fn fresh_code(server: &TestServer, enrolled: &Enrolled) -> String {
    server.advance_clock(30);
    code_now(server, &enrolled.secret)
}

async fn admins_cannot_demote_or_remove_another_admin(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, admin, other) =
        (person(&server, "Olivia").await, person(&server, "Adam").await, person(&server, "Abe").await);
    ok(&owner.client, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner.client, &admin.client, "acme", &admin.email, "admin").await;
    join_org(&owner.client, &other.client, "acme", &other.email, "admin").await;

    // Demote, reset as a "member", promote back: the first step is refused.
    let (status, body) = change_role(&admin.client, other.id, "member").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().unwrap().contains("Only owners can change the role of an admin"), "{body}");
    let (status, _) = admin.client.call("remove_member", &[("slug", "acme"), ("user_id", &other.id.to_string())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(role_of(&server, "acme", other.id).await.as_deref(), Some("admin"));
    // The page offers an admin no role control and no "Remove" on another admin's row.
    let html = admin.client.get("/orgs/acme").await.text().await.unwrap();
    assert!(!html.contains(&format!("id=\"role-{}\"", other.id)), "no role select for another admin");
    assert!(!html.contains("aria-label=\"Remove Abe\""), "no Remove for another admin");
    // Owners may.
    assert_eq!(change_role(&owner.client, other.id, "member").await.0, StatusCode::OK);
    assert_eq!(change_role(&admin.client, other.id, "admin").await.0, StatusCode::OK, "admins manage plain members");
}

enum Write {
    Promote,
    Remove,
}

/// The membership write an admin decided on when `target` was a plain member,
/// made now under the organization's lock; returns why it changed nothing.
async fn stale_write(db: &sqlx::AnyPool, actor: &Actor, target: i64, write: Write) -> Refused {
    let mut tx = app::server::db::begin_write(db).await.unwrap();
    orgs::lock(&mut tx, actor.org_id).await.unwrap();
    let changed = match write {
        Write::Promote => orgs::set_role_as_checked(&mut tx, actor, target, Role::Member, Role::Admin).await,
        Write::Remove => orgs::remove_as_checked(&mut tx, actor, target, Role::Member).await,
    };
    assert!(!changed.unwrap(), "a write decided on a stale reading changes no row");
    tx.rollback().await.unwrap();
    orgs::why_unchanged(db, actor, target, Role::Member, LastOwnerWrite::Demote).await.unwrap()
}

async fn a_role_change_decided_on_a_stale_reading_changes_nothing(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, admin, x) =
        (person(&server, "Olivia").await, person(&server, "Adam").await, person(&server, "Xena").await);
    let org = ok(&owner.client, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner.client, &admin.client, "acme", &admin.email, "admin").await;
    join_org(&owner.client, &x.client, "acme", &x.email, "member").await;
    let db = server.db().await;
    let org_id = org["id"].as_i64().unwrap();
    let as_admin = Actor { org_id, user_id: admin.id, role: Role::Admin };

    // The admin saw a plain member; meanwhile the owner made Xena an owner.
    assert_eq!(change_role(&owner.client, x.id, "owner").await.0, StatusCode::OK);
    assert_eq!(stale_write(&db, &as_admin, x.id, Write::Promote).await, Refused::TheirRoleChanged);
    assert_eq!(stale_write(&db, &as_admin, x.id, Write::Remove).await, Refused::TheirRoleChanged);
    assert_eq!(role_of(&server, "acme", x.id).await.as_deref(), Some("owner"), "the fresh owner stays");

    // The actor's own role changed since the check: nothing happens either.
    assert_eq!(change_role(&owner.client, x.id, "member").await.0, StatusCode::OK);
    assert_eq!(change_role(&owner.client, admin.id, "member").await.0, StatusCode::OK);
    assert_eq!(stale_write(&db, &as_admin, x.id, Write::Promote).await, Refused::YourRoleChanged);
    assert_eq!(stale_write(&db, &as_admin, x.id, Write::Remove).await, Refused::YourRoleChanged);
    assert_eq!(role_of(&server, "acme", x.id).await.as_deref(), Some("member"));

    // Refused writes leave no audit row; the granted ones left one each.
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE kind IN ('role_changed', 'member_removed')")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(n, 3);
}

async fn concurrent_role_changes_never_overwrite_a_fresh_owner(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, admin, x) =
        (person(&server, "Olivia").await, person(&server, "Adam").await, person(&server, "Xena").await);
    ok(&owner.client, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner.client, &admin.client, "acme", &admin.email, "admin").await;
    join_org(&owner.client, &x.client, "acme", &x.email, "member").await;
    for round in 0..60 {
        let (promote, demote) =
            tokio::join!(change_role(&owner.client, x.id, "owner"), change_role(&admin.client, x.id, "admin"));
        let role = role_of(&server, "acme", x.id).await;
        match (promote.0, demote.0) {
            // Both may succeed only in the order admin, then owner: the admin
            // may never act on Xena once she is an owner.
            (StatusCode::OK, StatusCode::OK) => {
                assert_eq!(role.as_deref(), Some("owner"), "round {round}: the admin overwrote a fresh owner")
            }
            (StatusCode::OK, _) => assert_eq!(role.as_deref(), Some("owner"), "round {round}"),
            (_, StatusCode::OK) => assert_eq!(role.as_deref(), Some("admin"), "round {round}: {promote:?}"),
            other => panic!("round {round}: neither succeeded: {other:?}"),
        }
        assert!(promote.0.is_success() || promote.0.is_client_error(), "{promote:?}");
        assert!(demote.0.is_success() || demote.0.is_client_error(), "{demote:?}");
        assert_eq!(change_role(&owner.client, x.id, "member").await.0, StatusCode::OK);
    }
}

async fn a_reset_needs_an_actor_with_two_factor_and_their_current_code(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, x) = (person(&server, "Olivia").await, person(&server, "Xena").await);
    ok(&owner.client, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner.client, &x.client, "acme", &x.email, "member").await;
    enroll(&server, &x.client).await;

    // Without 2FA of their own, not even the owner may.
    let (status, body) = reset(&owner.client, "acme", x.id, "123456").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("Turn on two-factor authentication for your own account"),
        "{body}"
    );

    let mine = enroll(&server, &owner.client).await;
    // The password alone is not enough.
    let (status, body) = owner
        .client
        .call(
            "reset_member_two_factor",
            &[("slug", "acme"), ("user_id", &x.id.to_string()), ("password", common::PASSWORD)],
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    server.advance_clock(30);
    let (status, body) = reset(&owner.client, "acme", x.id, "000000").await;
    assert_eq!((status, body["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, "code".into()), "{body}");
    assert_eq!(ok(&x.client, "two_factor_status", &[]).await["enabled"], true);
    let (status, body) = reset(&owner.client, "acme", x.id, &fresh_code(&server, &mine)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(x.client.me().await.is_null(), "the member's sessions ended");
}

async fn nobody_resets_a_manager_of_another_organization(backend: Backend) {
    let server = TestServer::start(backend).await;
    // The victim runs their own organization and joins the attacker's as a plain member.
    let (attacker, victim) = (person(&server, "Mallory").await, person(&server, "Victor").await);
    ok(&victim.client, "create_org", &[("name", "Victor Corp"), ("slug", "victor")]).await;
    enroll(&server, &victim.client).await;
    ok(&attacker.client, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&attacker.client, &victim.client, "acme", &victim.email, "member").await;
    let mine = enroll(&server, &attacker.client).await;

    let (status, body) = reset(&attacker.client, "acme", victim.id, &fresh_code(&server, &mine)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().unwrap().contains("owner or admin of another organization"), "{body}");
    assert_eq!(ok(&victim.client, "two_factor_status", &[]).await["enabled"], true);
    assert!(!victim.client.me().await.is_null(), "the victim's session lives");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE kind = 'member_two_factor_reset'")
        .fetch_one(&server.db().await)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

async fn a_reset_is_told_to_the_member_and_every_organization_they_belong_to(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, x, beta_owner) =
        (person(&server, "Olivia").await, person(&server, "Xena").await, person(&server, "Bob").await);
    ok(&owner.client, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    ok(&beta_owner.client, "create_org", &[("name", "Beta"), ("slug", "beta")]).await;
    join_org(&owner.client, &x.client, "acme", &x.email, "member").await;
    join_org(&beta_owner.client, &x.client, "beta", &x.email, "member").await;
    enroll(&server, &x.client).await;
    let mine = enroll(&server, &owner.client).await;
    ok(&beta_owner.client, "audit_log", &[("slug", "beta")]).await;

    let (status, body) = reset(&owner.client, "acme", x.id, &fresh_code(&server, &mine)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    for (manager, slug) in [(&owner.client, "acme"), (&beta_owner.client, "beta")] {
        let log = ok(manager, "audit_log", &[("slug", slug)]).await;
        let entry = &log["entries"][0];
        assert_eq!(entry["actor"], "Olivia", "{slug}: {log}");
        assert!(entry["detail"].as_str().unwrap().contains("through Acme"), "{slug}: {log}");
    }
    let login = ok(&x.client, "log_in", &[("email", &x.email), ("password", common::PASSWORD)]).await;
    assert_eq!(login["LoggedIn"]["name"], "Xena");
    let log = ok(&x.client, "security_log", &[]).await;
    assert!(log["entries"].as_array().unwrap().iter().any(|e| e["what"].as_str().unwrap().contains("reset")), "{log}");
    let notice = ok(&x.client, "notice", &[]).await;
    let notice = notice.as_str().unwrap();
    assert!(
        notice
            .starts_with(&format!("Olivia ({}), an owner of Acme, reset your two-factor authentication", owner.email)),
        "{notice}"
    );
}
