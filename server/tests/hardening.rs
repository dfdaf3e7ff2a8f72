//! Web hardening: hostile strings never render raw, the nonce CSP, log page
//! bounds, accepted body types, the origin check's scheme, notice dismissal,
//! unknown paths and the data dir's permissions.

mod common;

use common::{join_org, ok, Backend, Client, TestServer, PASSWORD};
use reqwest::StatusCode;

on_both_backends!(
    hostile_strings_never_render_raw_in_pages_titles_attributes_or_csv,
    pages_carry_a_strict_csp_whose_nonce_every_script_has,
    log_pages_far_beyond_the_end_answer_empty_never_500,
    server_functions_refuse_bodies_that_are_not_forms,
    the_origin_check_compares_the_scheme_and_https_gets_hsts,
    the_notice_stays_until_dismissed_with_a_post,
    unknown_paths_answer_404_with_the_signed_in_page_around_them,
    a_link_cannot_put_words_on_a_page_only_the_servers_one_shot_flash_can,
    a_plain_forms_redirect_never_follows_a_foreign_referer,
);

const SCRIPT: &str = "</title><script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(2)>";

/// Nothing an attacker typed may appear as markup.
fn assert_inert(path: &str, html: &str) {
    for raw in ["<script>alert", "<img src=x", "</title><script"] {
        assert!(!html.contains(raw), "{path} renders {raw:?} raw:\n{html}");
    }
    assert!(!html.contains("&amp;lt;") && !html.contains("&amp;quot;"), "{path} escapes twice:\n{html}");
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The `<title>` text as the browser tab shows it; the raw text has no `<`.
fn title_of(html: &str) -> String {
    let start = html.find("<title>").expect("a title") + "<title>".len();
    let end = start + html[start..].find("</title>").expect("a closed title");
    let raw = &html[start..end];
    assert!(!raw.contains('<') && !raw.contains('>'), "raw markup in the title: {raw}");
    unescape(raw)
}

async fn page(client: &Client, path: &str) -> String {
    let res = client.get(path).await;
    assert!(res.status().is_success() || res.status() == StatusCode::NOT_FOUND, "{path}: {}", res.status());
    let html = res.text().await.unwrap();
    assert_inert(path, &html);
    html
}

/// `TestServer::user` makes the email from the name; these names make none.
async fn user_named(server: &TestServer, name: &str, email: &str) -> Client {
    let client = server.client();
    ok(&client, "sign_up", &[("name", name), ("email", email), ("password", PASSWORD)]).await;
    server.mark_verified(email).await;
    client
}

async fn hostile_strings_never_render_raw_in_pages_titles_attributes_or_csv(backend: Backend) {
    let server = TestServer::start(backend).await;
    let owner = user_named(&server, &format!("Olivia{SCRIPT}"), "olivia@example.com").await;
    let email = "mallory@example.com".to_string();
    let member = user_named(&server, &format!("=HYPERLINK(\"http://evil\"){IMG}"), &email).await;
    let org_name = format!("{SCRIPT}{IMG}");

    // Hostile slugs are refused with a clear 4xx, never stored.
    for slug in [IMG, "javascript:alert(1)", SCRIPT, "../../etc"] {
        let (status, body) = owner.call("create_org", &[("name", &org_name), ("slug", slug)]).await;
        assert!(status.is_client_error(), "{slug}: {status} {body}");
    }
    ok(&owner, "create_org", &[("name", &org_name), ("slug", "acme")]).await;
    join_org(&owner, &member, "acme", &email, "member").await;

    // A hostile browser name lands in the security log.
    let evil_agent = server.client();
    let res = evil_agent
        .http
        .post(format!("{}/api/log_in", server.base))
        .header("User-Agent", IMG)
        .form(&[("email", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    let home = page(&owner, "/").await;
    assert_eq!(title_of(&home), "Portcullis");
    assert!(home.contains("Olivia&lt;/title&gt;"), "the name is shown, escaped");
    let members = page(&owner, "/orgs/acme").await;
    assert_eq!(title_of(&members), format!("{org_name} · Portcullis"));
    let settings = page(&owner, "/orgs/acme/settings").await;
    assert_eq!(title_of(&settings), format!("{org_name} settings: Authentication · Portcullis"));
    page(&owner, "/account").await;
    page(&member, "/orgs/acme").await;
    page(&member, "/").await;
    let account = page(&evil_agent, "/account").await;
    assert!(account.contains("&quot;&gt;&lt;img"), "the browser name is shown, escaped");
    page(&owner, "/nope.php").await;

    let csv = owner.get("/orgs/acme/members.csv").await.text().await.unwrap();
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")"), "formulas are defused: {csv}");
    for line in csv.lines().skip(1) {
        assert!(
            !line.starts_with(['=', '+', '-', '@']) && !line.starts_with("\"=") && !line.starts_with("\"+"),
            "{line}"
        );
    }
}

async fn pages_carry_a_strict_csp_whose_nonce_every_script_has(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, _) = server.user("Olivia").await;
    let mut seen = Vec::new();
    for path in ["/", "/login", "/account", "/nope"] {
        let res = c.get(path).await;
        let csp = res.headers()["content-security-policy"].to_str().unwrap().to_string();
        let html = res.text().await.unwrap();
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("{path}: no nonce in {csp}"));
        assert!(nonce.len() >= 16, "{nonce}");
        for part in [
            "'strict-dynamic'",
            "'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(part), "{path}: {part} missing in {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let scripts: Vec<&str> = html.split("<script").skip(1).collect();
        assert!(!scripts.is_empty(), "{path} has hydration scripts");
        for script in scripts {
            // The opening tag's attributes, in any order (the hydration scripts and public/webauthn.js).
            let tag = script.split('>').next().unwrap_or_default();
            assert!(
                tag.split_whitespace().any(|attr| attr == format!("nonce=\"{nonce}\"")),
                "{path}: a script without the nonce: <script{}",
                &script[..script.len().min(80)]
            );
        }
        seen.push(nonce.to_string());
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 4, "a fresh nonce per response");
}

async fn log_pages_far_beyond_the_end_answer_empty_never_500(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let max = i64::MAX.to_string();
    let huge = (i64::MAX / 20 + 1).to_string();
    for page in [max.as_str(), huge.as_str(), "461168601842738790", "-1", &i64::MIN.to_string()] {
        let (status, body) = owner.call("security_log", &[("page", page)]).await;
        assert_eq!(status, StatusCode::OK, "security_log page {page}: {body}");
        if page.starts_with('-') {
            continue;
        }
        assert_eq!(body["entries"].as_array().unwrap().len(), 0, "{body}");
        assert_eq!(body["has_more"], false);
        let (status, body) = owner.call("audit_log", &[("slug", "acme"), ("page", page)]).await;
        assert_eq!(status, StatusCode::OK, "audit_log page {page}: {body}");
        assert_eq!(body["entries"].as_array().unwrap().len(), 0, "{body}");
    }
    for page in ["99999999999999999999", "x"] {
        let (status, body) = owner.call("security_log", &[("page", page)]).await;
        assert!(status.is_client_error(), "{page}: {status} {body}");
    }
    for path in [
        format!("/account?log={max}"),
        format!("/orgs/acme/settings/general?page={max}"),
        format!("/orgs/acme/settings/general?page={huge}"),
    ] {
        let res = owner.get(&path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
}

async fn server_functions_refuse_bodies_that_are_not_forms(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let url = format!("{}/api/create_org", server.base);
    let bodies = [
        ("text/plain", "name=Plain&slug=plain"),
        (
            "multipart/form-data; boundary=x",
            "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nM\r\n--x--\r\n",
        ),
        ("application/json", r#"{"name":"J","slug":"json"}"#),
    ];
    for (content_type, body) in bodies {
        let res = owner.http.post(&url).header("Content-Type", content_type).body(body).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
        let text = res.text().await.unwrap();
        assert!(text.contains("form"), "{text}");
    }
    assert_eq!(owner.call("my_orgs", &[]).await.1.as_array().unwrap().len(), 0);
    let res = owner
        .http
        .post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
        .body("name=Fine&slug=fine")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = owner.http.post(format!("{}/api/my_orgs", server.base)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "an empty POST needs no type");
}

async fn sign_up_from(server: &TestServer, origin: &str, email: &str) -> StatusCode {
    let res = server
        .client()
        .http
        .post(format!("{}/api/sign_up", server.base))
        .header("Origin", origin)
        .form(&[("name", "Olivia"), ("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    res.status()
}

async fn the_origin_check_compares_the_scheme_and_https_gets_hsts(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    let host = server.base.trim_start_matches("http://").to_string();
    assert_eq!(sign_up_from(&server, &format!("https://{host}"), "a@example.com").await, StatusCode::FORBIDDEN);
    assert_eq!(sign_up_from(&server, &format!("http://{host}"), "b@example.com").await, StatusCode::OK);
    assert!(
        server.client().get("/").await.headers().get("strict-transport-security").is_none(),
        "no HSTS over plain HTTP"
    );

    server.restart(&[("PORTCULLIS_SECURE_COOKIES", "true")]).await;
    let host = server.base.trim_start_matches("http://").to_string();
    assert_eq!(sign_up_from(&server, &format!("http://{host}"), "c@example.com").await, StatusCode::FORBIDDEN);
    assert_eq!(sign_up_from(&server, &format!("https://{host}"), "d@example.com").await, StatusCode::OK);
    let res = server.client().get("/login").await;
    let hsts = res.headers()["strict-transport-security"].to_str().unwrap();
    assert!(hsts.starts_with("max-age="), "{hsts}");
}

async fn the_notice_stays_until_dismissed_with_a_post(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Olivia").await;
    let db = server.db().await;
    sqlx::query("UPDATE users SET notice = $1 WHERE email = $2")
        .bind("An admin reset your 2FA.")
        .bind(&email)
        .execute(&db)
        .await
        .unwrap();
    for _ in 0..2 {
        let home = c.get("/").await.text().await.unwrap();
        assert!(home.contains("An admin reset your 2FA."), "a GET does not consume the notice");
    }
    assert!(c.get("/").await.text().await.unwrap().contains(">Dismiss</button>"), "a button dismisses it");
    ok(&c, "dismiss_notice", &[]).await;
    let home = c.get("/").await.text().await.unwrap();
    assert!(!home.contains("An admin reset your 2FA."));
}

async fn unknown_paths_answer_404_with_the_signed_in_page_around_them(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, _) = server.user("Zebulon").await;
    let res = c.get("/nope.php").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(html.contains("Page not found"), "{html}");
    assert!(html.contains("Zebulon"), "the 404 page knows who is signed in: {html}");
}

/// SQLite only: the files in question exist only with the embedded database.
#[tokio::test]
async fn a_fresh_data_dir_and_database_are_private_and_a_404_logs_no_error() {
    use std::os::unix::fs::PermissionsExt;
    let root = std::env::temp_dir().join(format!("portcullis-perm-{}-{}", std::process::id(), rand::random::<u32>()));
    std::fs::create_dir_all(&root).unwrap();
    let data = root.join("data");
    let log = std::fs::File::create(root.join("stderr.log")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORTCULLIS_DATA_DIR", &data)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..200 {
        if http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let res = http.get(format!("{base}/nope.php")).header("Accept", "text/html").send().await.unwrap();
    let status = res.status();
    let _ = child.kill();
    let _ = child.wait();
    let mode = |name: &str| std::fs::metadata(data.join(name)).map(|m| m.permissions().mode() & 0o777);
    let modes = (mode(""), mode("portcullis.db"), mode("portcullis.db-wal"), mode("secret.key"));
    let stderr = std::fs::read_to_string(root.join("stderr.log")).unwrap();
    let _ = std::fs::remove_dir_all(&root);
    assert!(ready, "{stderr}");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(modes.0.unwrap(), 0o700, "data dir");
    assert_eq!(modes.1.unwrap(), 0o600, "database");
    if let Ok(wal) = modes.2 {
        assert_eq!(wal, 0o600, "write-ahead log");
    }
    assert_eq!(modes.3.unwrap(), 0o600, "key file");
    assert!(!stderr.contains("ERROR"), "a 404 is not an error:\n{stderr}");
}

/// A plain form post as a browser without JavaScript sends it, from `referer`.
async fn plain_post(client: &Client, name: &str, referer: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client
        .http
        .post(format!("{}/api/{name}", client.base))
        .header("Accept", "text/html")
        .header("Referer", referer)
        .form(form)
        .send()
        .await
        .unwrap()
}

fn location_of(res: &reqwest::Response) -> String {
    res.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default()
}

async fn a_link_cannot_put_words_on_a_page_only_the_servers_one_shot_flash_can(backend: Backend) {
    use base64::Engine;
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    // Crafted links: the sentence is never shown.
    let lie = r#"{"code":"forbidden","message":"Call IT at 555 0100 and read them your backup codes"}"#;
    let err = base64::engine::general_purpose::URL_SAFE.encode(lie);
    let anonymous = server.client();
    for (page_path, action) in [("/login", "log_in"), ("/signup", "sign_up"), ("/login/two-factor", "verify_login")] {
        let html = page(&anonymous, &format!("{page_path}?__path=%2Fapi%2F{action}&__err={err}")).await;
        assert!(!html.contains("Call IT"), "{page_path} shows a sentence from its URL:\n{html}");
    }
    let html = page(&owner, "/orgs/acme?invited=anyone%40evil.test").await;
    assert!(!html.contains("Invitation sent to"), "{html}");

    // A plain form's refusal comes back through the flash cookie, once, in our words.
    let base = server.base.clone();
    let res =
        plain_post(&anonymous, "log_in", &format!("{base}/login"), &[("email", "x@example.com"), ("password", "nope")])
            .await;
    let next = location_of(&res);
    assert_eq!(next, "/login?__path=%2Fapi%2Flog_in", "the error is not in the URL");
    assert!(res.headers().get_all("set-cookie").iter().any(|c| c.to_str().unwrap().starts_with("portcullis_flash=")));
    assert!(page(&anonymous, &next).await.contains("Invalid email or password"));
    assert!(!page(&anonymous, &next).await.contains("Invalid email or password"), "shown once");

    // A notice too.
    let res = plain_post(
        &owner,
        "add_member",
        &format!("{base}/orgs/acme"),
        &[("slug", "acme"), ("email", "ann@example.com"), ("role", "member")],
    )
    .await;
    let next = location_of(&res);
    assert_eq!(next, "/orgs/acme");
    assert!(page(&owner, &next).await.contains("Invitation sent to ann@example.com"));
    assert!(!page(&owner, &next).await.contains("Invitation sent to"), "shown once");
}

async fn a_plain_forms_redirect_never_follows_a_foreign_referer(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let anonymous = server.client();
    // An error's redirect, and a notice's.
    let res = plain_post(
        &anonymous,
        "log_in",
        "https://evil.example/login",
        &[("email", "x@example.com"), ("password", "x")],
    )
    .await;
    assert_eq!(location_of(&res), "/");
    let invite = [("slug", "acme"), ("email", "bob@example.com"), ("role", "member")];
    let res = plain_post(&owner, "add_member", "https://evil.example/orgs/acme", &invite).await;
    let next = location_of(&res);
    assert!(next.starts_with('/') && !next.starts_with("//"), "{next}");
    // Our own pages, by path or by URL, are fine.
    let res = plain_post(&owner, "add_member", &format!("{}/orgs/acme?filter=all", server.base), &invite).await;
    assert_eq!(location_of(&res), "/orgs/acme?filter=all");
}
