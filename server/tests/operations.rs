//! What a deployment relies on: graceful shutdown, readiness, JSON logs,
//! secrets from files, and the systemd unit.

mod common;

use common::{Backend, TestServer, PASSWORD};
use sqlx::{Connection, Executor};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_both_backends!(
    a_request_in_flight_finishes_after_sigterm,
    a_request_that_never_finishes_does_not_keep_the_server_after_its_grace,
    logs_can_be_json_lines,
    the_access_log_has_a_line_per_request_and_no_secret,
    a_backup_made_while_serving_restores_with_the_same_key,
    metrics_count_requests_sign_ins_and_factors_and_pass_promtool,
    every_page_links_to_its_source,
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

async fn the_access_log_has_a_line_per_request_and_no_secret(backend: Backend) {
    let server = TestServer::start_with(
        backend,
        &[("RUST_LOG", "warn,portcullis::access=info"), ("PORTCULLIS_LOG_FORMAT", "json")],
    )
    .await;
    let (ann, email) = server.user("Ann").await;
    let factors = common::enroll(&server, &ann).await;
    server.advance_clock(30);
    let browser = common::pending_login(&server, &email).await;
    let code = common::code_now(&server, &factors.secret);
    common::ok(&browser, "verify_login", &[("code", &code)]).await;
    let cookie = browser.session_cookie().expect("a session cookie");
    let res = browser
        .http
        .get(format!("{}/reset-password?token=pcx_secret_in_a_query", server.base))
        .header("x-request-id", "forged-by-the-client")
        .send()
        .await
        .unwrap();
    let echoed = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert!(echoed.len() == 32 && echoed != "forged-by-the-client", "a client's own id is replaced: {echoed}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let log = server.log();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .filter(|l| l.contains("answered"))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let reset = lines
        .iter()
        .find(|l| l["span"]["route"] == "/reset-password")
        .unwrap_or_else(|| panic!("a line for the reset page: {log}"));
    assert_eq!(reset["span"]["method"], "GET");
    assert_eq!(reset["span"]["id"], echoed.as_str());
    assert_eq!(reset["span"]["client"], "127.0.0.1");
    assert_eq!(reset["fields"]["status"], 200);
    assert!(reset["fields"]["latency_ms"].is_u64());
    assert!(lines.iter().any(|l| l["span"]["route"] == "/api/verify_login" && l["span"]["method"] == "POST"), "{log}");
    for secret in [PASSWORD, &code, &factors.setup_key, &cookie, "pcx_secret_in_a_query", "forged-by-the-client"] {
        assert!(!log.contains(secret), "{secret} is in the log: {log}");
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

fn portcullis(env: &[(&str, std::ffi::OsString)], args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .env_clear()
        .env("RUST_LOG", "info")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(args)
        .output()
        .expect("portcullis runs");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn secrets_come_from_files_and_a_sqlite_url_makes_its_new_file() {
    let dir = std::env::temp_dir().join(format!("portcullis-files-{}-{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = "5e".repeat(32);
    std::fs::write(dir.join("key"), format!("{key}\n")).unwrap();
    let db = dir.join("not").join("yet").join("new.db");
    std::fs::write(dir.join("db-url"), format!("sqlite://{}\n", db.display())).unwrap();
    let data = dir.join("data");
    let var = |name, path: std::path::PathBuf| (name, path.into_os_string());
    let env = [
        var("PORTCULLIS_DATA_DIR", data.clone()),
        var("DATABASE_URL_FILE", dir.join("db-url")),
        var("PORTCULLIS_SECRET_KEY_FILE", dir.join("key")),
    ];
    let (ok, log) = portcullis(&env, &["operators", "list"]);
    assert!(ok, "{log}");
    assert!(db.exists(), "the database named by the URL was made, with its folders: {log}");
    assert!(!data.join("secret.key").exists(), "the key came from its file: none was generated");
    assert!(!log.contains(&key), "{log}");
    // A file that is not there is named; a value and its file together are refused.
    let missing = [var("PORTCULLIS_DATA_DIR", data.clone()), var("PORTCULLIS_SECRET_KEY_FILE", dir.join("nope"))];
    let (ok, log) = portcullis(&missing, &["operators", "list"]);
    assert!(!ok && log.contains("PORTCULLIS_SECRET_KEY_FILE: cannot read"), "{log}");
    let both = [env[0].clone(), env[2].clone(), ("PORTCULLIS_SECRET_KEY", key.clone().into())];
    let (ok, log) = portcullis(&both, &["operators", "list"]);
    assert!(!ok && log.contains("not both"), "{log}");
    assert!(!log.contains(&key), "{log}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The unit in `deploy/` is valid for systemd (with this build as its program)
/// and keeps its sandbox: `systemd-analyze security` scores it "OK" or better.
#[test]
fn the_systemd_unit_is_valid_and_sandboxed() {
    if std::process::Command::new("systemd-analyze").arg("--version").output().is_err() {
        panic!("systemd-analyze is missing: scripts/bootstrap.sh installs Debian's systemd package");
    }
    let unit = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/portcullis.service")).unwrap();
    let unit = unit.replace("/usr/local/bin/portcullis", env!("CARGO_BIN_EXE_portcullis"));
    let dir = std::env::temp_dir().join(format!("portcullis-unit-{}-{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("portcullis.service");
    std::fs::write(&path, unit).unwrap();
    let verify = std::process::Command::new("systemd-analyze").arg("verify").arg(&path).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
    let security = std::process::Command::new("systemd-analyze")
        .args(["security", "--offline=true", "--no-pager"])
        .arg(&path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&security.stdout).to_string();
    let score: f64 = report
        .lines()
        .find_map(|l| l.split("exposure level for portcullis.service: ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no score in: {report}"));
    assert!(score <= 2.0, "exposure {score} (README states 1.1): {report}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The README's backup and restore, as an operator follows them: a backup made
/// while serving, then a server started on the copy with the same key.
async fn a_backup_made_while_serving_restores_with_the_same_key(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    let (ann, email) = server.user("Ann").await;
    let factors = common::enroll(&server, &ann).await;
    let file =
        std::env::temp_dir().join(format!("portcullis-backup-{}-{}.db", std::process::id(), rand::random::<u32>()));
    let out = server.run(&["backup", file.to_str().unwrap()], &[]);
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    if backend == Backend::Postgres {
        assert!(!out.status.success() && said.contains("pg_dump --format=custom"), "{said}");
        return;
    }
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Keep the secret key as well"), "{said}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let again = server.run(&["backup", file.to_str().unwrap()], &[]);
    assert!(!again.status.success(), "an existing file is never overwritten");
    // Written after the backup: not in it.
    let (_, later) = server.user("Bob").await;

    let key = server.key_file();
    let restored = format!("sqlite://{}", file.display());
    server.restart(&[("DATABASE_URL", &restored), ("PORTCULLIS_SECRET_KEY", &key)]).await;
    server.advance_clock(30);
    let browser = common::pending_login(&server, &email).await;
    common::ok(&browser, "verify_login", &[("code", &common::code_now(&server, &factors.secret))]).await;
    let fresh = server.client();
    let (status, _) = fresh.call("log_in", &[("email", &later), ("password", PASSWORD)]).await;
    assert!(status.is_client_error(), "Bob signed up after the backup");
    let _ = std::fs::remove_file(&file);
}

/// The value of the sample `name{labels}` in Prometheus text (0 when absent).
fn sample(text: &str, series: &str) -> f64 {
    text.lines().find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok())).unwrap_or(0.0)
}

async fn metrics_count_requests_sign_ins_and_factors_and_pass_promtool(backend: Backend) {
    let port = common::free_port();
    let addr = format!("127.0.0.1:{port}");
    let server = TestServer::start_with(backend, &[("PORTCULLIS_METRICS_ADDR", &addr)]).await;
    let scrape = || async {
        let res = reqwest::get(format!("http://{addr}/metrics")).await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
        res.text().await.unwrap()
    };
    let (ann, email) = server.user("Ann").await;
    let factors = common::enroll(&server, &ann).await;
    server.advance_clock(30);
    let before = scrape().await;
    let browser = common::pending_login(&server, &email).await;
    common::ok(&browser, "verify_login", &[("code", &common::code_now(&server, &factors.secret))]).await;
    let wrong = server.client();
    let (status, _) = wrong.call("log_in", &[("email", &email), ("password", "not the password")]).await;
    assert!(status.is_client_error());
    let after = scrape().await;

    let moved = |series: &str| sample(&after, series) - sample(&before, series);
    assert_eq!(moved("portcullis_security_events_total{event=\"logged_in\"}"), 1.0, "{after}");
    assert_eq!(moved("portcullis_security_events_total{event=\"login_failed\"}"), 1.0, "{after}");
    assert_eq!(moved("portcullis_second_factor_passed_total{factor=\"totp\"}"), 1.0, "{after}");
    assert_eq!(
        moved("portcullis_http_requests_total{method=\"POST\",route=\"/api/verify_login\",status=\"200\"}"),
        1.0,
        "{after}"
    );
    assert!(after.contains("portcullis_http_request_duration_seconds_bucket{route=\"/api/log_in\""), "{after}");
    assert!(after.contains("portcullis_password_hashing_wait_seconds_count"), "{after}");
    assert!(after.contains("portcullis_db_pool_connections{state=\"idle\"}"), "{after}");
    assert!(after.contains("portcullis_outbox_backlog{channel=\"mail\"}"), "{after}");
    for secret in [email.as_str(), PASSWORD, "127.0.0.1"] {
        assert!(!after.contains(secret), "{secret} in the metrics");
    }

    // Prometheus's own linter, as a scraper would read it.
    let mut promtool = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool (Debian's prometheus package; scripts/bootstrap.sh installs it)");
    std::io::Write::write_all(promtool.stdin.as_mut().unwrap(), after.as_bytes()).unwrap();
    let checked = promtool.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "{}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
    // The application's own listener has no /metrics.
    assert_eq!(reqwest::get(format!("{}/metrics", server.base)).await.unwrap().status(), 404);
}

/// AGPL section 13: people who use Portcullis over the network can get its source.
async fn every_page_links_to_its_source(backend: Backend) {
    let fork = "https://git.example.com/ops/portcullis";
    let server = TestServer::start_with(backend, &[("PORTCULLIS_SOURCE_URL", fork)]).await;
    for page in ["/login", "/signup", "/no-such-page"] {
        let html = reqwest::get(format!("{}{page}", server.base)).await.unwrap().text().await.unwrap();
        assert!(html.contains(&format!("<a href=\"{fork}\">Source</a>")), "{page}: {html}");
    }
    let out = server.run(&["serve"], &[("PORTCULLIS_SOURCE_URL", "javascript:alert(1)")]);
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!out.status.success() && said.contains("must be an http(s) URL"), "{said}");
}
