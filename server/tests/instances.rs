//! Two server processes on one database, as behind a load balancer: every
//! guarantee that lives in the database must hold across them.

mod common;

use common::{assert_one_of_a_race_wins, code_now, enroll, join_org, ok, pending_login, Backend, TestServer, PASSWORD};
use reqwest::StatusCode;

on_both_backends!(
    a_session_made_on_one_instance_is_valid_on_the_other,
    one_code_raced_fifty_times_across_both_instances_succeeds_once,
    the_softlock_counts_failures_from_both_instances,
    a_requirement_switched_on_through_one_instance_is_enforced_by_the_other,
    every_instance_cleans_up_expired_rows_at_the_same_time,
);

async fn a_session_made_on_one_instance_is_valid_on_the_other(backend: Backend) {
    let a = TestServer::start(backend).await;
    let b = a.another_instance().await;
    let (on_a, email) = a.user("Ann").await;
    let on_b = on_a.on(&b);
    assert_eq!(on_b.me().await["email"], email.as_str());
    assert_eq!(on_b.get("/account").await.status(), StatusCode::OK);
    ok(&on_b, "log_out", &[]).await;
    assert!(on_a.me().await.is_null(), "logging out on B ends the session on A");
}

async fn one_code_raced_fifty_times_across_both_instances_succeeds_once(backend: Backend) {
    let a = TestServer::start(backend).await;
    let b = a.another_instance().await;
    let (c, email) = a.user("Ben").await;
    let e = enroll(&a, &c).await;
    a.advance_clock(30);
    let mut clients = Vec::new();
    for i in 0..50 {
        let (first, second) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        // The password step on one instance, the code on the other.
        clients.push(pending_login(first, &email).await.on(second));
    }
    assert_one_of_a_race_wins(&clients, &code_now(&a, &e.secret)).await;
}

async fn the_softlock_counts_failures_from_both_instances(backend: Backend) {
    let a = TestServer::start(backend).await;
    let b = a.another_instance().await;
    let (c, email) = a.user("Cy").await;
    let e = enroll(&a, &c).await;
    a.advance_clock(30);
    let pending = pending_login(&a, &email).await;
    let wrong = if code_now(&a, &e.secret) == "000000" { "111111" } else { "000000" };
    for i in 0..5 {
        let instance = if i % 2 == 0 { &a } else { &b };
        let (status, body) = pending.on(instance).call("verify_login", &[("code", wrong)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "failure {i}: {body}");
    }
    // Five failures, three on A and two on B: locked on both, even for the right code.
    for instance in [&a, &b] {
        let (status, body) = pending.on(instance).call("verify_login", &[("code", &code_now(&a, &e.secret))]).await;
        assert_eq!((status, body["code"].clone()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into()), "{body}");
    }
    a.advance_clock(31);
    ok(&pending.on(&b), "verify_login", &[("code", &code_now(&a, &e.secret))]).await;
}

async fn a_requirement_switched_on_through_one_instance_is_enforced_by_the_other(backend: Backend) {
    let a = TestServer::start(backend).await;
    let b = a.another_instance().await;
    let (owner, _) = a.user("Olga").await;
    let (member, member_email) = a.user("Mo").await;
    let owner_factors = enroll(&a, &owner).await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner, &member, "acme", &member_email, "member").await;
    let member_on_b = member.on(&b);
    ok(&member_on_b, "load_org", &[("slug", "acme")]).await;
    ok(&owner, "set_two_factor_requirement", &[("slug", "acme"), ("require", "true"), ("grace_days", "0")]).await;
    let (status, body) = member_on_b.call("load_org", &[("slug", "acme")]).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::FORBIDDEN, "two_factor_required".into()), "{body}");
    assert_eq!(member_on_b.get("/orgs/acme").await.status(), StatusCode::FORBIDDEN);
    a.advance_clock(30);
    let code = code_now(&a, &owner_factors.secret);
    let reauth =
        [("slug", "acme"), ("require", "false"), ("grace_days", "0"), ("password", PASSWORD), ("code", code.as_str())];
    ok(&owner.on(&b), "set_two_factor_requirement", &reauth).await;
    ok(&member, "load_org", &[("slug", "acme")]).await;
}

async fn every_instance_cleans_up_expired_rows_at_the_same_time(backend: Backend) {
    let mut a = TestServer::start(backend).await;
    a.restart(&[("PORTCULLIS_CLEANUP_INTERVAL_SECS", "1")]).await;
    let b = a.another_instance().await;
    let (c, email) = a.user("Eve").await;
    enroll(&a, &c).await;
    pending_login(&b, &email).await;
    let (d, _) = b.user("Finn").await;
    ok(&d, "start_enrollment", &[]).await;
    let db = a.db().await;
    let count = |table: &'static str| {
        let db = db.clone();
        async move { sqlx::query_as::<_, (i64,)>(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&db).await.unwrap().0 }
    };
    assert_eq!((count("sessions").await, count("pending_logins").await, count("totp_enrollments").await), (2, 1, 1));
    // Past the 12-hour idle limit: everything above has expired.
    a.advance_clock(13 * 3600);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!((count("sessions").await, count("pending_logins").await, count("totp_enrollments").await), (0, 0, 0));
    for instance in [&a, &b] {
        assert_eq!(reqwest::get(format!("{}/readyz", instance.base)).await.unwrap().status(), StatusCode::OK);
    }
    assert_eq!(count("totp_credentials").await, 1, "only what expired is gone");
}
