//! Membership by consent: invitations that the invitee accepts or declines,
//! answers that never tell whether an account exists, and leaving.

mod common;

use common::{invitation_id, join_org, ok, Backend, Client, TestServer};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    an_invitation_grants_nothing_until_the_invitee_accepts_it,
    the_answer_for_an_unknown_email_equals_the_answer_for_a_known_one,
    declining_removes_the_invitation,
    an_expired_invitation_cannot_be_accepted_until_renewed,
    nobody_else_can_accept_or_decline_my_invitation,
    an_invitation_to_an_email_without_an_account_waits_for_sign_up,
    managers_list_and_cancel_invitations_within_their_role,
    members_may_leave_but_the_last_owner_may_not,
    of_concurrent_accepts_or_departures_exactly_one_wins,
    an_address_taken_before_the_invitation_gets_no_membership_without_its_code,
);

const DAY: i64 = 86_400;

async fn invite(c: &Client, slug: &str, email: &str, role: &str) -> (StatusCode, Value) {
    c.call("add_member", &[("slug", slug), ("email", email), ("role", role)]).await
}

async fn audit_kinds(server: &TestServer) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as("SELECT kind FROM audit_events WHERE kind <> 'org_created' ORDER BY id")
        .fetch_all(&server.db().await)
        .await
        .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

async fn memberships(server: &TestServer) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM memberships").fetch_one(&server.db().await).await.unwrap();
    n
}

async fn an_invitation_grants_nothing_until_the_invitee_accepts_it(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let (max, max_email) = server.user("Max").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;

    let (status, body) = invite(&owner, "acme", &max_email, "admin").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let code = body["code"].as_str().unwrap().to_string();
    assert!(body["message"].as_str().unwrap().contains(&code), "the inviter is shown the code: {body}");
    assert_eq!(memberships(&server).await, 1, "only the owner");
    assert_eq!(max.call("load_org", &[("slug", "acme")]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(ok(&max, "my_orgs", &[]).await.as_array().unwrap().len(), 0);
    let page = ok(&owner, "load_org", &[("slug", "acme")]).await;
    assert_eq!(page["members"].as_array().unwrap().len(), 1, "not listed as a member: {page}");
    // Managers see the email they typed, nothing of the account behind it.
    let pending = ok(&owner, "org_invitations", &[("slug", "acme")]).await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!((pending[0]["email"].as_str(), pending[0]["role"].as_str()), (Some(max_email.as_str()), Some("admin")));
    assert!(!pending.to_string().contains("Max"), "{pending}");

    let mine = ok(&max, "my_invitations", &[]).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(
        (mine[0]["org_name"].as_str(), mine[0]["inviter"].as_str(), mine[0]["role"].as_str()),
        (Some("Acme"), Some("Olivia"), Some("admin"))
    );
    assert_eq!(mine[0]["expired"], false);

    let id = invitation_id(&max, "acme").await;
    ok(&max, "accept_invitation", &[("invitation_id", &id), ("code", &code)]).await;
    assert_eq!(ok(&max, "load_org", &[("slug", "acme")]).await["org"]["my_role"], "admin");
    assert_eq!(ok(&max, "my_invitations", &[]).await.as_array().unwrap().len(), 0, "used up");
    assert_eq!(ok(&owner, "org_invitations", &[("slug", "acme")]).await.as_array().unwrap().len(), 0);
    let (status, _) = max.call("accept_invitation", &[("invitation_id", &id), ("code", &code)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "accepted once");
    // Already a member: managers see members' emails anyway, so saying so tells them nothing new.
    let (status, body) = invite(&owner, "acme", &max_email, "member").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().contains("already a member"), "{body}");

    assert_eq!(audit_kinds(&server).await, ["member_invited", "invitation_accepted"]);
    let log = ok(&owner, "audit_log", &[("slug", "acme")]).await;
    assert_eq!(log["entries"][0]["what"], "Invitation accepted");
    assert_eq!(log["entries"][0]["actor"], "Max");
}

async fn the_answer_for_an_unknown_email_equals_the_answer_for_a_known_one(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let (_, known) = server.user("Max").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let unknown = "nobody-here@example.com";
    let anonymized = |(status, body): (StatusCode, Value), email: &str| {
        let code = body["code"].as_str().unwrap_or("no code").to_string();
        (status, body.to_string().replace(email, "EMAIL").replace(&code, "CODE"))
    };

    let for_known = anonymized(invite(&owner, "acme", &known, "member").await, &known);
    let for_unknown = anonymized(invite(&owner, "acme", unknown, "member").await, unknown);
    assert_eq!(for_known.0, StatusCode::OK, "{}", for_known.1);
    assert_eq!(for_known, for_unknown);
    assert!(for_known.1.contains("Invitation sent to EMAIL"), "{}", for_known.1);
    // Inviting again renews the invitation, with the same answer either way.
    assert_eq!(anonymized(invite(&owner, "acme", &known, "admin").await, &known), for_known);
    assert_eq!(anonymized(invite(&owner, "acme", unknown, "admin").await, unknown), for_known);
    let pending = ok(&owner, "org_invitations", &[("slug", "acme")]).await;
    assert_eq!(pending.as_array().unwrap().len(), 2, "renewed, not doubled: {pending}");
    assert!(pending.as_array().unwrap().iter().all(|i| i["role"] == "admin"), "{pending}");
}

async fn declining_removes_the_invitation(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let (max, max_email) = server.user("Max").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let code = common::invite(&owner, "acme", &max_email, "member").await;
    let id = invitation_id(&max, "acme").await;

    ok(&max, "decline_invitation", &[("invitation_id", &id)]).await;
    assert_eq!(ok(&max, "my_invitations", &[]).await.as_array().unwrap().len(), 0);
    assert_eq!(ok(&owner, "org_invitations", &[("slug", "acme")]).await.as_array().unwrap().len(), 0);
    let (status, body) = max.call("accept_invitation", &[("invitation_id", &id), ("code", &code)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(max.call("load_org", &[("slug", "acme")]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(audit_kinds(&server).await, ["member_invited", "invitation_declined"]);
}

async fn an_expired_invitation_cannot_be_accepted_until_renewed(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, owner_email) = server.user("Olivia").await;
    let (_, max_email) = server.user("Max").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let code = common::invite(&owner, "acme", &max_email, "member").await;
    server.advance_clock(14 * DAY + 1);
    // Sessions have expired meanwhile: log in afresh.
    let owner = log_in(&server, &owner_email).await;
    let max = log_in(&server, &max_email).await;

    let mine = ok(&max, "my_invitations", &[]).await;
    assert_eq!(mine[0]["expired"], true, "{mine}");
    let id = invitation_id(&max, "acme").await;
    let (status, body) = max.call("accept_invitation", &[("invitation_id", &id), ("code", &code)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");
    assert_eq!(memberships(&server).await, 1);
    assert_eq!(ok(&owner, "org_invitations", &[("slug", "acme")]).await[0]["expired"], true);

    // Inviting again gives a fresh 14 days, and a new code: the old one is void.
    let renewed = common::invite(&owner, "acme", &max_email, "member").await;
    let id = invitation_id(&max, "acme").await;
    let (status, _) = max.call("accept_invitation", &[("invitation_id", &id), ("code", &code)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    ok(&max, "accept_invitation", &[("invitation_id", &id), ("code", &renewed)]).await;
    ok(&max, "load_org", &[("slug", "acme")]).await;
}

async fn nobody_else_can_accept_or_decline_my_invitation(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let (max, max_email) = server.user("Max").await;
    let (eve, _) = server.user("Eve").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let code = common::invite(&owner, "acme", &max_email, "admin").await;
    let id = invitation_id(&max, "acme").await;

    for (who, c) in [("a stranger", &eve), ("the inviter", &owner)] {
        for name in ["accept_invitation", "decline_invitation"] {
            let (status, body) = c.call(name, &[("invitation_id", &id), ("code", &code)]).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{who} {name}: {body}");
        }
    }
    assert_eq!(ok(&eve, "my_invitations", &[]).await.as_array().unwrap().len(), 0, "nothing of Max's shows");
    let anonymous = server.client().call("accept_invitation", &[("invitation_id", &id), ("code", &code)]).await;
    assert_eq!(anonymous.0, StatusCode::UNAUTHORIZED);
    assert_eq!(eve.call("accept_invitation", &[("invitation_id", "abc")]).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(eve.call("load_org", &[("slug", "acme")]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(memberships(&server).await, 1);
    ok(&max, "accept_invitation", &[("invitation_id", &id), ("code", &code)]).await;
    assert_eq!(
        audit_kinds(&server).await,
        ["member_invited", "invitation_accepted"],
        "refused attempts change nothing"
    );
}

async fn an_invitation_to_an_email_without_an_account_waits_for_sign_up(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let code = common::invite(&owner, "acme", "  Newcomer@Example.COM ", "member").await;
    assert_eq!(ok(&owner, "org_invitations", &[("slug", "acme")]).await[0]["email"], "newcomer@example.com");

    let newcomer = server.client();
    ok(&newcomer, "sign_up", &[("name", "Nina"), ("email", "newcomer@example.com"), ("password", common::PASSWORD)])
        .await;
    // Verified as its mailed link would (account_lifecycle.rs follows real ones).
    server.mark_verified("newcomer@example.com").await;
    let id = invitation_id(&newcomer, "acme").await;
    ok(&newcomer, "accept_invitation", &[("invitation_id", &id), ("code", &code.to_lowercase().replace('-', " "))])
        .await;
    assert_eq!(ok(&newcomer, "my_orgs", &[]).await[0]["slug"], "acme");
    // The home page shows invitations to whoever is signed in.
    ok(&owner, "create_org", &[("name", "Beta"), ("slug", "beta")]).await;
    ok(&owner, "add_member", &[("slug", "beta"), ("email", "newcomer@example.com"), ("role", "member")]).await;
    let html = newcomer.get("/").await.text().await.unwrap();
    assert!(
        html.contains("Olivia invited you to join")
            && html.contains("Beta")
            && html.contains("Accept")
            && html.contains("Invitation code")
            && html.contains("Decline"),
        "{html}"
    );
}

async fn managers_list_and_cancel_invitations_within_their_role(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let (admin, admin_email) = server.user("Adam").await;
    let (plain, plain_email) = server.user("Pia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner, &admin, "acme", &admin_email, "admin").await;
    join_org(&owner, &plain, "acme", &plain_email, "member").await;
    ok(&owner, "add_member", &[("slug", "acme"), ("email", "future-owner@example.com"), ("role", "owner")]).await;
    ok(&owner, "add_member", &[("slug", "acme"), ("email", "future-member@example.com"), ("role", "member")]).await;
    let pending = ok(&admin, "org_invitations", &[("slug", "acme")]).await;
    let id_for =
        |email: &str| pending.as_array().unwrap().iter().find(|i| i["email"] == email).unwrap()["id"].to_string();
    let (owner_invite, member_invite) = (id_for("future-owner@example.com"), id_for("future-member@example.com"));

    // Plain members neither see nor cancel invitations.
    assert_eq!(plain.call("org_invitations", &[("slug", "acme")]).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        plain.call("cancel_invitation", &[("slug", "acme"), ("invitation_id", &member_invite)]).await.0,
        StatusCode::FORBIDDEN
    );
    // Admins may neither invite owners nor cancel or replace an owner's invitation.
    assert_eq!(invite(&admin, "acme", "x@example.com", "owner").await.0, StatusCode::FORBIDDEN);
    assert_eq!(invite(&admin, "acme", "future-owner@example.com", "member").await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        admin.call("cancel_invitation", &[("slug", "acme"), ("invitation_id", &owner_invite)]).await.0,
        StatusCode::FORBIDDEN
    );
    ok(&admin, "cancel_invitation", &[("slug", "acme"), ("invitation_id", &member_invite)]).await;
    let (status, _) = admin.call("cancel_invitation", &[("slug", "acme"), ("invitation_id", &member_invite)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "cancelled once");
    // Another organization's managers cannot reach Acme's invitations by id.
    let (other, _) = server.user("Otto").await;
    ok(&other, "create_org", &[("name", "Other"), ("slug", "other")]).await;
    assert_eq!(
        other.call("cancel_invitation", &[("slug", "other"), ("invitation_id", &owner_invite)]).await.0,
        StatusCode::NOT_FOUND
    );
    ok(&owner, "cancel_invitation", &[("slug", "acme"), ("invitation_id", &owner_invite)]).await;
    assert_eq!(ok(&owner, "org_invitations", &[("slug", "acme")]).await.as_array().unwrap().len(), 0);

    let kinds = audit_kinds(&server).await;
    assert_eq!(kinds.iter().filter(|k| *k == "invitation_cancelled").count(), 2, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "member_invited").count(), 4, "refusals write nothing: {kinds:?}");
}

async fn members_may_leave_but_the_last_owner_may_not(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, owner_email) = server.user("Olivia").await;
    let (max, max_email) = server.user("Max").await;
    let (cora, cora_email) = server.user("Cora").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner, &max, "acme", &max_email, "member").await;

    ok(&max, "leave_org", &[("slug", "acme")]).await;
    assert_eq!(max.call("load_org", &[("slug", "acme")]).await.0, StatusCode::NOT_FOUND, "gone at once");
    assert_eq!(max.call("leave_org", &[("slug", "acme")]).await.0, StatusCode::NOT_FOUND, "not a member any more");

    let (status, body) = owner.call("leave_org", &[("slug", "acme")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("last owner"), "{body}");
    ok(&owner, "load_org", &[("slug", "acme")]).await;

    // With a second owner, the first may go.
    join_org(&owner, &cora, "acme", &cora_email, "owner").await;
    ok(&owner, "leave_org", &[("slug", "acme")]).await;
    let page = ok(&cora, "load_org", &[("slug", "acme")]).await;
    assert!(!page.to_string().contains(&owner_email), "{page}");
    let kinds = audit_kinds(&server).await;
    assert_eq!(kinds.iter().filter(|k| *k == "member_left").count(), 2, "{kinds:?}");
    let log = ok(&cora, "audit_log", &[("slug", "acme")]).await;
    assert_eq!(
        (log["entries"][0]["what"].as_str(), log["entries"][0]["actor"].as_str()),
        (Some("Member left"), Some("Olivia"))
    );
}

async fn of_concurrent_accepts_or_departures_exactly_one_wins(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let (max, max_email) = server.user("Max").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let code = common::invite(&owner, "acme", &max_email, "member").await;
    let id = invitation_id(&max, "acme").await;
    // The same person in three browsers, clicking "Accept" at once.
    let sessions = [max, log_in(&server, &max_email).await, log_in(&server, &max_email).await];
    let args = [("invitation_id", id.as_str()), ("code", code.as_str())];
    let results = futures::future::join_all(sessions.iter().map(|c| c.call("accept_invitation", &args))).await;
    assert_eq!(results.iter().filter(|(s, _)| *s == StatusCode::OK).count(), 1, "{results:?}");
    assert!(results.iter().all(|(s, _)| s.is_success() || s.is_client_error()), "{results:?}");
    assert_eq!(memberships(&server).await, 2);

    // The last two owners leaving at once: one of them stays.
    let (cora, cora_email) = server.user("Cora").await;
    join_org(&owner, &cora, "acme", &cora_email, "owner").await;
    let slug = [("slug", "acme")];
    let (a, b) = tokio::join!(owner.call("leave_org", &slug), cora.call("leave_org", &slug));
    assert_eq!([a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a:?} {b:?}");
    assert!([a.0, b.0].contains(&StatusCode::CONFLICT), "{a:?} {b:?}");
    let (owners,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM memberships WHERE role = 'owner'")
        .fetch_one(&server.db().await)
        .await
        .unwrap();
    assert_eq!(owners, 1);
    let kinds = audit_kinds(&server).await;
    assert_eq!(
        (
            kinds.iter().filter(|k| *k == "invitation_accepted").count(),
            kinds.iter().filter(|k| *k == "member_left").count()
        ),
        (2, 1),
        "{kinds:?}"
    );
}

async fn log_in(server: &TestServer, email: &str) -> Client {
    let c = server.client();
    ok(&c, "log_in", &[("email", email), ("password", common::PASSWORD)]).await;
    c
}

async fn an_address_taken_before_the_invitation_gets_no_membership_without_its_code(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    // An attacker predicts a new hire's address and signs up with it first.
    let squatter = server.client();
    let hire = "new.hire@example.com";
    ok(&squatter, "sign_up", &[("name", "New Hire"), ("email", hire), ("password", common::PASSWORD)]).await;
    // Even if the squatter could also read the hire's mail and verify it, the code is still needed.
    server.mark_verified(hire).await;
    let code = common::invite(&owner, "acme", hire, "admin").await;
    // The invitation shows, but holding the address does not accept it.
    let id = invitation_id(&squatter, "acme").await;
    for wrong in ["", "not a code"] {
        let (status, body) = squatter.call("accept_invitation", &[("invitation_id", &id), ("code", wrong)]).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("code")), "{body}");
    }
    let guesses = ["0000-0000-0000", "1111-1111-1111", "2222-2222-2222", "3333-3333-3333"];
    for guess in guesses {
        let (status, _) = squatter.call("accept_invitation", &[("invitation_id", &id), ("code", guess)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(memberships(&server).await, 1, "no membership from guesses");
    // The fifth wrong code voids the invitation: even the right one is too late.
    let (status, body) =
        squatter.call("accept_invitation", &[("invitation_id", &id), ("code", "4444-4444-4444")]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (status, _) = squatter.call("accept_invitation", &[("invitation_id", &id), ("code", &code)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(memberships(&server).await, 1);
    assert_eq!(audit_kinds(&server).await, ["member_invited", "invitation_voided"]);
    let log = ok(&owner, "audit_log", &[("slug", "acme")]).await;
    assert_eq!(log["entries"][0]["what"], "Invitation voided (too many wrong codes)", "{log}");
    // The owner invites again and passes the new code to the real person only.
    let fresh = common::invite(&owner, "acme", hire, "admin").await;
    assert_ne!(fresh, code);
    assert_eq!(ok(&owner, "org_invitations", &[("slug", "acme")]).await.as_array().unwrap().len(), 1);
    let _ = fresh;
}
