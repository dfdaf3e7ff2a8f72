//! Rotating the server key: the old key keeps decrypting until
//! `portcullis reencrypt` has re-sealed everything under the new one.

mod common;

use common::{code_now, enroll, ok, pending_login, Backend, TestServer, PASSWORD};
use reqwest::StatusCode;

on_both_backends!(rotation_keeps_every_factor_working_and_reencrypt_retires_the_old_key);

async fn logs_in_with_code(server: &TestServer, email: &str, code: &str, recovery: bool) -> StatusCode {
    let c = pending_login(server, email).await;
    let recovery = if recovery { "true" } else { "false" };
    c.call("verify_login", &[("code", code), ("recovery", recovery)]).await.0
}

fn stdout(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

async fn rotation_keeps_every_factor_working_and_reencrypt_retires_the_old_key(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    let (before, before_email) = server.user("Old").await;
    let old_factors = enroll(&server, &before).await;
    let old_key = server.key_file();
    let new_key = stdout(&server.run(&["new-key"], &[])).trim().to_string();
    assert_eq!(new_key.len(), 64, "{new_key}");

    // Step 1: the new key is current, the old one still decrypts.
    let rotating = [("PORTCULLIS_SECRET_KEY", new_key.as_str()), ("PORTCULLIS_PREVIOUS_SECRET_KEYS", old_key.as_str())];
    server.restart(&rotating).await;
    server.advance_clock(30);
    assert_eq!(
        logs_in_with_code(&server, &before_email, &code_now(&server, &old_factors.secret), false).await,
        StatusCode::OK
    );
    assert_eq!(logs_in_with_code(&server, &before_email, &old_factors.codes[0], true).await, StatusCode::OK);
    let (during, during_email) = server.user("New").await;
    let new_factors = enroll(&server, &during).await;
    server.advance_clock(30);
    let code = code_now(&server, &old_factors.secret);
    let revealed = ok(&before.on(&server), "reveal_codes", &[("password", PASSWORD), ("code", &code)]).await;
    assert_eq!(revealed.as_array().map(Vec::len), Some(5), "codes sealed by the old key reveal: {revealed}");

    // Without the old key the server refuses to start rather than fail logins
    // (every command that builds the server's state checks its keys; `migrate` needs none).
    let refused = server.run(&["reencrypt"], &[("PORTCULLIS_SECRET_KEY", &old_key[..])]);
    assert!(!refused.status.success() && stdout(&refused).contains("does not decrypt"), "{}", stdout(&refused));

    // Step 2: re-seal. 5 old codes (1 used) and the old secret move; the new user's 6 values are current.
    let output = server.run(&["reencrypt"], &rotating);
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("re-sealed 6 values under the current key; 6 were already"),
        "{}",
        stdout(&output)
    );
    let again = server.run(&["reencrypt"], &rotating);
    assert!(stdout(&again).contains("re-sealed 0 values under the current key; 12 were already"), "{}", stdout(&again));

    // Step 3: the old key is gone; everything still works, used codes stay used.
    server.restart(&[("PORTCULLIS_SECRET_KEY", &new_key)]).await;
    server.advance_clock(30);
    assert_eq!(
        logs_in_with_code(&server, &before_email, &code_now(&server, &old_factors.secret), false).await,
        StatusCode::OK
    );
    assert_eq!(
        logs_in_with_code(&server, &during_email, &code_now(&server, &new_factors.secret), false).await,
        StatusCode::OK
    );
    assert_eq!(logs_in_with_code(&server, &before_email, &old_factors.codes[1], true).await, StatusCode::OK);
    assert_eq!(
        logs_in_with_code(&server, &before_email, &old_factors.codes[0], true).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "used before the rotation"
    );

    // A stale instance with only the old key cannot start.
    let stale = server.run(&["reencrypt"], &[("PORTCULLIS_SECRET_KEY", &old_key[..])]);
    assert!(!stale.status.success(), "{}", stdout(&stale));
}
