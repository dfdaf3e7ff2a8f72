//! What a deployment relies on: graceful shutdown, readiness, JSON logs.

mod common;

use common::{Backend, TestServer, PASSWORD};
use sqlx::{Connection, Executor};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_both_backends!(
    a_request_in_flight_finishes_after_sigterm,
    a_request_that_never_finishes_does_not_keep_the_server_after_its_grace,
    logs_can_be_json_lines
);

async fn a_request_in_flight_finishes_after_sigterm(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    let (_, email) = server.user("Ann").await;
    let body = format!("email={}&password={}", email.replace('@', "%40"), PASSWORD.replace(' ', "+"));
    let (head, tail) = body.split_at(body.len() / 2);
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let request = format!(
        "POST /api/log_in HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{head}",
        body.len()
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    // The server is now inside the request, waiting for the rest of the body.
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.send_sigterm();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(tokio::net::TcpStream::connect(&addr).await.is_err(), "no new connections after SIGTERM");
    conn.write_all(tail.as_bytes()).await.unwrap();
    let mut response = String::new();
    conn.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("LoggedIn"), "{response}");
    assert!(server.wait_for_exit().await.success(), "a clean exit");
}

async fn a_request_that_never_finishes_does_not_keep_the_server_after_its_grace(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    server.restart(&[("PORTCULLIS_SHUTDOWN_GRACE_SECS", "1")]).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    // A body announced and never sent: its handler would wait for ever.
    let request = format!(
        "POST /api/log_in HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 100\r\n\r\nemail="
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    server.send_sigterm();
    assert!(server.wait_for_exit().await.success(), "stopped after the grace period, cleanly");
    drop(conn);
}

async fn logs_can_be_json_lines(backend: Backend) {
    let server = TestServer::start(backend).await;
    let output = server.run(&["migrate"], &[("PORTCULLIS_LOG_FORMAT", "json"), ("RUST_LOG", "info")]);
    assert!(output.status.success());
    let logs = String::from_utf8_lossy(&output.stdout).to_string() + &String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = logs.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.iter().any(|l| l.contains("migrations applied")), "{logs}");
    for line in lines {
        let entry: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(entry["level"].is_string() && entry["timestamp"].is_string(), "{line}");
    }
}

fn database_name(url: &str) -> String {
    url.rsplit('/').next().and_then(|tail| tail.split('?').next()).expect("a database in the URL").to_string()
}

/// Readiness follows the database: refused connections make /readyz 503
/// (so a load balancer stops routing here) while /healthz stays 200.
#[tokio::test]
async fn readyz_follows_the_database_postgres() {
    let Some(backend) = Backend::postgres() else { return };
    let server = TestServer::start(backend).await;
    let url = server.database_url().to_string();
    let name = database_name(&url);
    let admin_url = url.replace(&format!("/{name}"), "/postgres");
    let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
    let http = reqwest::Client::new();
    let status = |path: &'static str| {
        let (http, base) = (http.clone(), server.base.clone());
        async move { http.get(format!("{base}{path}")).send().await.unwrap().status().as_u16() }
    };
    assert_eq!(status("/readyz").await, 200);
    admin.execute(format!(r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS false"#).as_str()).await.unwrap();
    admin
        .execute(format!("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'").as_str())
        .await
        .unwrap();
    assert_eq!(status("/readyz").await, 503);
    assert_eq!(status("/healthz").await, 200);
    admin.execute(format!(r#"ALTER DATABASE "{name}" ALLOW_CONNECTIONS true"#).as_str()).await.unwrap();
    assert_eq!(status("/readyz").await, 200, "back once the database is");
}

/// Managed PostgreSQL services want TLS: `sslmode=require` in the URL.
#[tokio::test]
async fn postgres_over_tls_postgres() {
    let Some(backend) = Backend::postgres() else { return };
    let mut server = TestServer::start(backend).await;
    let url = server.database_url().to_string();
    let separator = if url.contains('?') { '&' } else { '?' };
    let tls_url = format!("{url}{separator}sslmode=require");
    server.restart(&[("DATABASE_URL", &tls_url)]).await;
    let (c, _) = server.user("Tia").await;
    assert!(!c.me().await.is_null());
    let db = server.db().await;
    let name = database_name(&url);
    let (encrypted,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) \
         WHERE datname = $1 AND ssl AND pid <> pg_backend_pid()",
    )
    .bind(name)
    .fetch_one(&db)
    .await
    .unwrap();
    assert!(encrypted > 0, "the server's connections use TLS");
}

#[test]
fn migrate_applies_the_schema_without_making_a_key_file() {
    let dir = std::env::temp_dir().join(format!("portcullis-migrate-{}-{}", std::process::id(), rand::random::<u32>()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .env_clear()
        .env("PORTCULLIS_DATA_DIR", &dir)
        .env("RUST_LOG", "info")
        .arg("migrate")
        .output()
        .expect("portcullis runs");
    let log = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(dir.join("portcullis.db").exists(), "the database was made and migrated: {log}");
    assert!(!dir.join("secret.key").exists(), "migrate writes no key file");
    let _ = std::fs::remove_dir_all(&dir);
}
