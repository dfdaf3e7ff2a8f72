//! The Members tab's 2FA status: visible to owners and admins (page, server
//! function, CSV export), never sent to plain members in any form.

mod common;

use common::{enroll, join_org, ok, Backend, Client, TestServer};
use reqwest::StatusCode;

on_both_backends!(
    managers_see_who_has_two_factor_enabled,
    plain_members_never_receive_anyones_two_factor_status,
    csv_export_passes_the_same_gate,
);

struct Org {
    owner: Client,
    owner_email: String,
    admin: Client,
    member: Client,
    member_email: String,
}

/// Acme: an owner with 2FA, an admin and a plain member without.
async fn acme(server: &TestServer) -> Org {
    let (owner, owner_email) = server.user("Olivia").await;
    let (admin, admin_email) = server.user("Adam").await;
    let (member, member_email) = server.user("Max").await;
    enroll(server, &owner).await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner, &admin, "acme", &admin_email, "admin").await;
    join_org(&owner, &member, "acme", &member_email, "member").await;
    Org { owner, owner_email, admin, member, member_email }
}

async fn managers_see_who_has_two_factor_enabled(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = acme(&server).await;
    let page = ok(&org.admin, "load_org", &[("slug", "acme")]).await;
    let status: Vec<_> =
        page["members"].as_array().unwrap().iter().map(|m| (m["email"].clone(), m["two_factor"].clone())).collect();
    assert!(status.contains(&(org.owner_email.clone().into(), true.into())), "{status:?}");
    assert!(status.contains(&(org.member_email.clone().into(), false.into())), "{status:?}");

    let html = org.owner.get("/orgs/acme").await.text().await.unwrap();
    assert!(html.contains("1 of 3 members have two-factor authentication enabled"), "summary line");
    assert!(html.contains(">2FA<") && html.contains("Export CSV"));
    // Pages are server-rendered (islands): no resource data rides along in the page, so what the
    // privacy test below reads is all a browser gets.
    assert!(!html.contains("\"two_factor\":") && !html.contains("two_factor\\\":"), "no hydration data in the page");
    // Rows shown: only the filter's.
    let row = |email: &str| format!(r#"data-label="Email">{email}<"#);
    let enabled_only = org.owner.get("/orgs/acme?filter=enabled").await.text().await.unwrap();
    assert!(
        enabled_only.contains(&row(&org.owner_email)) && !enabled_only.contains(&row(&org.member_email)),
        "filter Enabled"
    );
    let disabled_only = org.owner.get("/orgs/acme?filter=disabled").await.text().await.unwrap();
    assert!(
        !disabled_only.contains(&row(&org.owner_email)) && disabled_only.contains(&row(&org.member_email)),
        "filter Disabled"
    );
}

async fn plain_members_never_receive_anyones_two_factor_status(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = acme(&server).await;
    let (status, body) = org.member.call("load_org", &[("slug", "acme")]).await;
    assert_eq!(status, StatusCode::OK);
    for m in body["members"].as_array().unwrap() {
        assert!(m.get("two_factor").is_none(), "server function: {body}");
    }
    assert_eq!(body["members"].as_array().unwrap().len(), 3, "names and roles are still there");
    assert!(body["members"][0].get("email").is_none(), "{body}");

    // The page as a browser gets it.
    for path in ["/orgs/acme", "/orgs/acme?filter=enabled", "/orgs/acme?filter=disabled"] {
        let html = org.member.get(path).await.text().await.unwrap();
        for leak in [
            "\"two_factor\":",
            "two_factor\\\":",
            ">2FA<",
            "badge on",
            "badge off",
            "have two-factor authentication enabled",
            "Export CSV",
        ] {
            assert!(!html.contains(leak), "{path} leaks {leak}");
        }
        assert!(html.contains("Olivia") && !html.contains(&org.owner_email), "{path} lists names, not emails");
    }
}

async fn csv_export_passes_the_same_gate(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = acme(&server).await;
    let res = org.owner.get("/orgs/acme/members.csv").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains("acme-members.csv"));
    assert_eq!(res.headers()["cache-control"], "no-store");
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("name,email,role,two_factor\r\n"));
    assert!(csv.contains(&format!("\"Olivia\",\"{}\",owner,enabled", org.owner_email)), "{csv}");
    assert!(csv.contains(&format!("\"Max\",\"{}\",member,disabled", org.member_email)), "{csv}");
    assert_eq!(org.admin.get("/orgs/acme/members.csv").await.status(), StatusCode::OK);

    assert_eq!(org.member.get("/orgs/acme/members.csv").await.status(), StatusCode::FORBIDDEN);
    let (outsider, _) = server.user("Sam").await;
    assert_eq!(outsider.get("/orgs/acme/members.csv").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(server.client().get("/orgs/acme/members.csv").await.status(), StatusCode::UNAUTHORIZED);
}
