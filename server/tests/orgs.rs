//! Organizations, roles and access control, over HTTP against the real server.

mod common;

use common::{join_org, Backend, Client, TestServer};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    owner_creates_org_adds_and_manages_members,
    a_member_cannot_change_roles_or_members,
    admins_cannot_touch_owners_and_the_last_owner_stays,
    organizations_are_isolated_from_each_other,
    bad_input_gets_a_specific_4xx_never_a_500,
    cross_site_posts_and_framing_are_refused,
    pages_render_on_the_server_and_guard_access,
);

async fn create_org(c: &Client, name: &str, slug: &str) -> Value {
    let (status, body) = c.call("create_org", &[("name", name), ("slug", slug)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn member_id(page: &Value, email: &str) -> String {
    page["members"].as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["user_id"].to_string()
}

async fn owner_creates_org_adds_and_manages_members(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, owner_email) = server.user("Olivia").await;
    let (member, member_email) = server.user("Max").await;
    let org = create_org(&owner, "Acme Corp", "acme").await;
    assert_eq!(org["my_role"], "owner");

    join_org(&owner, &member, "acme", &member_email.to_uppercase(), "member").await;
    let (status, body) =
        owner.call("add_member", &[("slug", "acme"), ("email", &member_email), ("role", "member")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().contains("already a member"));

    let (status, page) = member.call("load_org", &[("slug", "acme")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["org"]["my_role"], "member");
    // Plain members see names and roles only.
    let names: Vec<_> = page["members"].as_array().unwrap().iter().map(|m| m["name"].clone()).collect();
    assert_eq!(names, ["Max", "Olivia"]);
    assert!(!page.to_string().contains(&owner_email), "{page}");
    let (_, managed) = owner.call("load_org", &[("slug", "acme")]).await;
    assert!(managed.to_string().contains(&owner_email) && managed.to_string().contains(&member_email));

    let (_, orgs) = member.call("my_orgs", &[]).await;
    assert_eq!(orgs[0]["slug"], "acme");

    let member_id = member_id(&managed, &member_email);
    let (status, _) = owner.call("change_role", &[("slug", "acme"), ("user_id", &member_id), ("role", "admin")]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = owner.call("remove_member", &[("slug", "acme"), ("user_id", &member_id)]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = member.call("load_org", &[("slug", "acme")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a removed member loses access at once");
}

async fn a_member_cannot_change_roles_or_members(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, owner_email) = server.user("Olivia").await;
    let (member, member_email) = server.user("Max").await;
    let (_, other_email) = server.user("Nina").await;
    create_org(&owner, "Acme", "acme").await;
    join_org(&owner, &member, "acme", &member_email, "member").await;
    let (_, page) = owner.call("load_org", &[("slug", "acme")]).await;
    let owner_id = member_id(&page, &owner_email);
    let member_self = member_id(&page, &member_email);

    for (name, args) in [
        ("change_role", vec![("slug", "acme"), ("user_id", member_self.as_str()), ("role", "owner")]),
        ("change_role", vec![("slug", "acme"), ("user_id", owner_id.as_str()), ("role", "member")]),
        ("remove_member", vec![("slug", "acme"), ("user_id", owner_id.as_str())]),
        ("add_member", vec![("slug", "acme"), ("email", other_email.as_str()), ("role", "member")]),
    ] {
        let (status, body) = member.call(name, &args).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
        assert!(body["message"].as_str().unwrap().contains("Only owners"), "{body}");
    }
}

async fn admins_cannot_touch_owners_and_the_last_owner_stays(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, owner_email) = server.user("Olivia").await;
    let (admin, admin_email) = server.user("Adam").await;
    create_org(&owner, "Acme", "acme").await;
    join_org(&owner, &admin, "acme", &admin_email, "admin").await;
    let (_, page) = owner.call("load_org", &[("slug", "acme")]).await;
    let owner_id = member_id(&page, &owner_email);

    let (status, _) = admin.call("change_role", &[("slug", "acme"), ("user_id", &owner_id), ("role", "member")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = admin.call("remove_member", &[("slug", "acme"), ("user_id", &owner_id)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, body) =
        owner.call("change_role", &[("slug", "acme"), ("user_id", &owner_id), ("role", "admin")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("at least one owner"));
    let (status, _) = owner.call("remove_member", &[("slug", "acme"), ("user_id", &owner_id)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn organizations_are_isolated_from_each_other(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (alice, alice_email) = server.user("Alice").await;
    let (bob, _) = server.user("Bob").await;
    create_org(&alice, "Alpha", "alpha").await;
    create_org(&bob, "Beta", "beta").await;
    let (_, page) = alice.call("load_org", &[("slug", "alpha")]).await;
    let alice_id = member_id(&page, &alice_email);

    for (name, args) in [
        ("load_org", vec![("slug", "alpha")]),
        ("add_member", vec![("slug", "alpha"), ("email", "x@example.com"), ("role", "member")]),
        ("change_role", vec![("slug", "alpha"), ("user_id", alice_id.as_str()), ("role", "member")]),
        ("remove_member", vec![("slug", "alpha"), ("user_id", alice_id.as_str())]),
    ] {
        let (status, body) = bob.call(name, &args).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{name}: {body}");
        assert!(!body.to_string().contains("Alpha"), "nothing of alpha leaks: {body}");
    }
    // Bob's own organization cannot reach Alice either.
    let (status, _) = bob.call("change_role", &[("slug", "beta"), ("user_id", &alice_id), ("role", "admin")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _) = server.client().call("load_org", &[("slug", "alpha")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, orgs) = bob.call("my_orgs", &[]).await;
    assert_eq!(orgs.as_array().unwrap().len(), 1);
}

async fn bad_input_gets_a_specific_4xx_never_a_500(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    create_org(&owner, "Acme", "acme").await;
    let cases: Vec<(&str, Vec<(&str, &str)>, u16)> = vec![
        ("create_org", vec![("name", "Dup"), ("slug", "acme")], 422),
        ("create_org", vec![("name", "X"), ("slug", "Not A Slug!")], 422),
        ("create_org", vec![("name", "")], 400),
        ("add_member", vec![("slug", "acme"), ("email", "not-an-email"), ("role", "member")], 422),
        ("add_member", vec![("slug", "acme"), ("email", "x@example.com"), ("role", "boss")], 422),
        ("change_role", vec![("slug", "acme"), ("user_id", "abc"), ("role", "admin")], 400),
        ("change_role", vec![("slug", "acme"), ("user_id", "999999"), ("role", "admin")], 404),
        ("remove_member", vec![("slug", "acme")], 400),
        ("load_org", vec![("slug", "no-such-org")], 404),
        ("no_such_function", vec![], 404),
    ];
    for (name, args, expected) in cases {
        let (status, body) = owner.call(name, &args).await;
        assert_eq!(status.as_u16(), expected, "{name} {args:?}: {body}");
        assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()) || expected == 404, "{name}: {body}");
    }
    let res = owner.http.post(format!("{}/api/sign_up", server.base)).body("%%%not=a&&form").send().await.unwrap();
    assert!(res.status().is_client_error(), "{}", res.status());
}

async fn cross_site_posts_and_framing_are_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let res = owner
        .http
        .post(format!("{}/api/create_org", server.base))
        .header("Origin", "https://evil.example")
        .form(&[("name", "Evil"), ("slug", "evil")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = owner
        .http
        .post(format!("{}/api/create_org", server.base))
        .header("Sec-Fetch-Site", "cross-site")
        .form(&[("name", "Evil"), ("slug", "evil")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, orgs) = owner.call("my_orgs", &[]).await;
    assert_eq!(orgs.as_array().unwrap().len(), 0);

    let res = owner
        .http
        .post(format!("{}/api/create_org", server.base))
        .header("Origin", &server.base)
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("name", "Fine"), ("slug", "fine")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let page = owner.get("/").await;
    assert_eq!(page.headers()["x-frame-options"], "DENY");
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    assert_eq!(page.headers()["cache-control"], "no-store");
    let res = owner.http.post(format!("{}/api/my_orgs", server.base)).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store", "server function answers are never cached");
}

async fn pages_render_on_the_server_and_guard_access(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    create_org(&owner, "Acme Corp", "acme").await;
    let res = owner.get("/orgs/acme").await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Acme Corp") && html.contains("Members"), "server-rendered members page");

    let (stranger, _) = server.user("Sam").await;
    let res = stranger.get("/orgs/acme").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(!res.text().await.unwrap().contains("Olivia"));

    let res = server.client().get("/account").await;
    assert!(res.status().is_redirection(), "guests are sent to Log In: {}", res.status());
    assert_eq!(server.client().get("/healthz").await.status(), StatusCode::OK);
    assert_eq!(server.client().get("/readyz").await.status(), StatusCode::OK);
}
