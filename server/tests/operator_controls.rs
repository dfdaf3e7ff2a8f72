//! The operator's controls against the real server: who may sign up and who
//! may create organizations (flags), and the break-glass commands, each in
//! the account's security log and told to its owner by mail.

mod common;

use common::smtp::SmtpSink;
use common::{code_now, enroll, invite, ok, Backend, TestServer, PASSWORD};
use reqwest::StatusCode;

on_both_backends!(
    a_closed_server_refuses_sign_up_and_an_invite_only_one_takes_invited_addresses,
    sign_up_is_limited_to_the_operators_domains,
    only_operators_create_organizations_when_the_server_says_so,
    the_operator_resets_a_locked_out_owners_two_factor_and_makes_another_owner,
    the_operators_reset_link_still_asks_for_the_second_factor,
);

fn stdout(output: &std::process::Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

async fn sign_up(server: &TestServer, email: &str) -> (StatusCode, serde_json::Value) {
    server.client().call("sign_up", &[("name", "Sam"), ("email", email), ("password", PASSWORD)]).await
}

async fn a_closed_server_refuses_sign_up_and_an_invite_only_one_takes_invited_addresses(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    invite(&owner, "acme", "invited@example.com", "member").await;

    server.restart(&[("PORTCULLIS_SIGN_UP", "closed")]).await;
    let (status, body) = sign_up(&server, "invited@example.com").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["reason"], "sign_up_closed");
    assert!(body["message"].as_str().unwrap().contains("Signing up is closed on this server"), "{body}");

    server.restart(&[("PORTCULLIS_SIGN_UP", "invite-only")]).await;
    let (status, body) = sign_up(&server, "stranger@example.com").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["field"], "email", "{body}");
    assert!(body["message"].as_str().unwrap().contains("needs an invitation"), "{body}");
    let (status, body) = sign_up(&server, "invited@example.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn sign_up_is_limited_to_the_operators_domains(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    server.restart(&[("PORTCULLIS_SIGN_UP_DOMAINS", "acme.com")]).await;
    let (status, body) = sign_up(&server, "sam@gmail.com").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["reason"], "sign_up_domain");
    assert_eq!(sign_up(&server, "sam@eu.acme.com").await.0, StatusCode::OK);
}

async fn only_operators_create_organizations_when_the_server_says_so(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    let (ann, ann_email) = server.user("Ann").await;
    server.restart(&[("PORTCULLIS_ORG_CREATION", "operators")]).await;
    let (status, body) = ann.on(&server).call("create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["reason"], "org_creation_operators_only");

    assert_eq!(stdout(&server.run(&["operators", "add", &ann_email], &[])), format!("{ann_email} is now an operator"));
    assert_eq!(stdout(&server.run(&["operators", "list"], &[])), ann_email);
    ok(&ann.on(&server), "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let log = ok(&ann.on(&server), "security_log", &[]).await.to_string();
    assert!(log.contains("Changed by the server's operator"), "{log}");

    let unknown = server.run(&["operators", "add", "nobody@example.com"], &[]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("No account uses nobody@example.com"));
}

async fn the_operator_resets_a_locked_out_owners_two_factor_and_makes_another_owner(backend: Backend) {
    let sink = SmtpSink::start().await;
    let mut server = TestServer::start(backend).await;
    server.restart(&[("PORTCULLIS_SMTP_URL", &sink.url())]).await;
    let (olivia, olivia_email) = server.user("Olivia").await;
    ok(&olivia, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    enroll(&server, &olivia).await;
    let (_, max_email) = server.user("Max").await;

    // Olivia lost her phone and her backup codes: the operator turns her 2FA off.
    let said = stdout(&server.run(&["users", "reset-two-factor", &olivia_email], &[]));
    assert!(said.contains("is off"), "{said}");
    assert!(olivia.me().await.is_null(), "her sessions ended");
    let mail = sink.wait_for_subject(&olivia_email, "Your two-factor authentication was reset").await;
    assert!(mail.text().contains("The server's operator"), "{}", mail.text());
    let again = stdout(&server.run(&["users", "reset-two-factor", &olivia_email], &[]));
    assert!(again.contains("nothing changed"), "{again}");

    let said = stdout(&server.run(&["orgs", "add-owner", "acme", &max_email], &[]));
    assert_eq!(said, format!("{max_email} is now an owner of acme"));
    let refused = server.run(&["orgs", "add-owner", "acme", &max_email], &[]);
    assert!(String::from_utf8_lossy(&refused.stderr).contains("is an owner of this organization already"));
    let max = server.client();
    ok(&max, "log_in", &[("email", &max_email), ("password", PASSWORD)]).await;
    let page = ok(&max, "load_org", &[("slug", "acme")]).await;
    assert_eq!(page["org"]["my_role"], "owner", "{page}");
    let audit = ok(&max, "audit_log", &[("slug", "acme")]).await.to_string();
    assert!(audit.contains("by the operator (command line)"), "{audit}");
}

async fn the_operators_reset_link_still_asks_for_the_second_factor(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    server.restart(&[]).await;
    let (ann, email) = server.user("Ann").await;
    let enrolled = enroll(&server, &ann).await;
    let link = stdout(&server.run(&["users", "reset-password", &email], &[("PORTCULLIS_PUBLIC_URL", &server.base)]));
    assert!(link.starts_with(&format!("{}/reset-password?token=", server.base)), "{link}");
    let token = link.split("token=").nth(1).unwrap();
    // Without a public URL there is no link to print: a clear error, and no link made.
    let refused = server.run(&["users", "reset-password", &email], &[]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("PORTCULLIS_PUBLIC_URL"));
    let phone = server.client();
    let form = ok(&phone, "load_reset_form", &[("token", token)]).await;
    assert_eq!(form["code_needed"], true);
    let new = "a much longer passphrase";
    let (status, _) = phone.call("reset_password", &[("token", token), ("code", ""), ("password", new)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    server.advance_clock(30);
    let code = code_now(&server, &enrolled.secret);
    ok(&phone, "reset_password", &[("token", token), ("code", &code), ("password", new)]).await;
}
