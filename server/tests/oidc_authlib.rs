//! A second relying party we did not write, in another language: Python's
//! Authlib (scripts/oidc_authlib.py) signs in with PKCE and nonce after a
//! password and TOTP login, validates the ID token against the JWKS,
//! calls userinfo, refreshes and revokes, with an RS256 client (the default)
//! and an ES256 one. `scripts/bootstrap.sh` installs it
//! into a virtualenv under ~/.cache/portcullis; without it the test is
//! skipped with a note, except under CI=true, where it fails.

mod common;

use common::oidc::{register, REDIRECT_URI};
use common::{enroll, ok, Backend, TestServer, PASSWORD};
use std::path::PathBuf;

on_both_backends!(authlib_signs_in_validates_refreshes_and_revokes);

fn python() -> Option<PathBuf> {
    let venv = std::env::var_os("PORTCULLIS_PYTHON").map(PathBuf::from).unwrap_or_else(|| {
        let cache = std::env::var_os("PORTCULLIS_CACHE").map(PathBuf::from).unwrap_or_else(|| {
            let home = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache"));
            home.join("portcullis")
        });
        cache.join("venv/bin/python")
    });
    if venv.exists() {
        return Some(venv);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {} is missing: scripts/bootstrap.sh installs Authlib there", venv.display());
    }
    eprintln!("skipped: no Authlib virtualenv at {} (scripts/bootstrap.sh makes it)", venv.display());
    None
}

async fn authlib_signs_in_validates_refreshes_and_revokes(backend: Backend) {
    let Some(python) = python() else { return };
    let server = TestServer::start(backend).await;
    let (owner, email) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let factors = enroll(&server, &owner).await;
    for (alg, extra) in [("RS256", &[][..]), ("ES256", &[("id_token_alg", "ES256")][..])] {
        let app = register(&owner, "acme", false, extra).await;
        // The login's code must be of a later step than enrollment's (and than the last login's).
        server.advance_clock(30);
        let system = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/oidc_authlib.py");
        let mut command = std::process::Command::new(&python);
        command
            .arg(script)
            .env("ISSUER", &server.base)
            .env("CLIENT_ID", &app.client_id)
            .env("CLIENT_SECRET", app.secret.as_deref().unwrap())
            .env("REDIRECT_URI", REDIRECT_URI)
            .env("EMAIL", &email)
            .env("PASSWORD", PASSWORD)
            .env("TOTP_SECRET", factors.setup_key.replace(' ', ""))
            .env("CLOCK_OFFSET", (server.now() - system).to_string());
        let output = tokio::task::spawn_blocking(move || command.output()).await.unwrap().expect("python runs");
        let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "Authlib failed ({alg}):\n{stdout}\n{stderr}");
        let summary: serde_json::Value = serde_json::from_str(stdout.trim()).expect("a JSON summary");
        assert_eq!(summary["amr"], serde_json::json!(["pwd", "otp"]), "{summary}");
        assert_eq!(summary["alg"], alg);
        assert_eq!(summary["userinfo_email"], email.as_str());
        assert_eq!((summary["refreshed"].as_bool(), summary["revoked"].as_bool()), (Some(true), Some(true)));
    }
}
