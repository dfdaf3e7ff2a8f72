//! Accounts, an organization and its members for the run, made over HTTP as users make them.

use super::*;

pub(crate) struct TwoFactorUser {
    pub(crate) email: String,
    pub(crate) secret: TotpSecret,
    /// The last TOTP step the server accepted for this account.
    pub(crate) last_step: i64,
}

pub(crate) struct Seeded {
    pub(crate) owner_session: String,
    pub(crate) org_name: String,
    pub(crate) org_slug: String,
    pub(crate) members: usize,
    pub(crate) password_users: Vec<String>,
    pub(crate) two_factor_users: Vec<TwoFactorUser>,
}

impl Seeded {
    pub(crate) fn page_paths(&self) -> Vec<String> {
        vec!["/".to_string(), "/account".to_string(), format!("/orgs/{}", self.org_slug)]
    }
}

pub(crate) async fn seed(http: &Http, args: &Args, two_factor_users: usize) -> Result<Seeded, String> {
    // Unique per run, so a tool run against a long-lived server does not collide.
    let run: u32 = rand::thread_rng().gen_range(0x1000_0000..=u32::MAX);
    let run = format!("{run:08x}");

    // The organization first: its members are invited before they sign up,
    // and accept with their new session, as people joining by invitation do.
    let org_name = format!("Load Org {run}");
    let org_slug = format!("load-{run}");
    let owner_session = sign_up(http, "Load Owner", &format!("load-{run}-owner@example.com"))
        .await
        .map_err(|e| format!("seeding the org owner: {e}"))?;
    let owner = [(SESSION_COOKIE, owner_session.as_str())];
    http.call("create_org", &[("name", &org_name), ("slug", &org_slug)], &owner)
        .await
        .and_then(|a| a.expect_ok("create_org"))
        .map_err(|e| format!("seeding the org: {e}"))?;
    // Some members of both kinds, so the members page renders a real table.
    let invited: Vec<String> = (0..args.password_users.min(INVITED))
        .map(|i| format!("load-{run}-pw-{i}@example.com"))
        .chain((0..two_factor_users.min(INVITED)).map(|i| format!("load-{run}-2fa-{i}@example.com")))
        .collect();
    // Each invitation's one-time code, which the invitee accepts with.
    let mut codes = std::collections::HashMap::new();
    for email in &invited {
        let sent = http
            .call("add_member", &[("slug", &org_slug), ("email", email), ("role", "member")], &owner)
            .await
            .and_then(|a| a.expect_ok("add_member"))
            .map_err(|e| format!("seeding org members: {e}"))?;
        let code = serde_json::from_str::<serde_json::Value>(&sent.body)
            .ok()
            .and_then(|v| v.get("code").and_then(|c| c.as_str()).map(str::to_string))
            .ok_or_else(|| format!("add_member: no invitation code in {}", snippet(&sent.body)))?;
        codes.insert(email.clone(), code);
    }
    let codes = &codes;

    let password_users = futures::stream::iter(0..args.password_users)
        .map(|i| {
            let email = format!("load-{run}-pw-{i}@example.com");
            async move {
                let session = sign_up(http, &format!("Password User {i}"), &email).await?;
                if let Some(code) = codes.get(&email) {
                    accept_invitations(http, &session, code).await?;
                }
                Ok::<_, Failure>(email)
            }
        })
        .buffer_unordered(args.seed_concurrency.max(1))
        .try_collect::<Vec<String>>()
        .await
        .map_err(|e| format!("seeding password users: {e}"))?;

    let two_factor_users = futures::stream::iter(0..two_factor_users)
        .map(|i| {
            let email = format!("load-{run}-2fa-{i}@example.com");
            let code = codes.get(&email).cloned();
            async move { sign_up_with_two_factor(http, i, email, code.as_deref()).await }
        })
        .buffer_unordered(args.seed_concurrency.max(1))
        .try_collect::<Vec<TwoFactorUser>>()
        .await
        .map_err(|e| format!("seeding 2FA users: {e}"))?;

    Ok(Seeded { owner_session, org_name, org_slug, members: invited.len(), password_users, two_factor_users })
}

/// How many users of each kind join the organization.
const INVITED: usize = 10;

/// Accepts the invitation waiting for the session's account, with its code.
async fn accept_invitations(http: &Http, session: &str, code: &str) -> Result<(), Failure> {
    let cookies = [(SESSION_COOKIE, session)];
    let answer = http.call("my_invitations", &[], &cookies).await?.expect_ok("my_invitations")?;
    let invitations: Vec<serde_json::Value> = serde_json::from_str(&answer.body)
        .map_err(|_| Failure::new("my_invitations: not a list", snippet(&answer.body)))?;
    for id in invitations.iter().filter_map(|i| i.get("id").and_then(serde_json::Value::as_i64)) {
        http.call("accept_invitation", &[("invitation_id", &id.to_string()), ("code", code)], &cookies)
            .await?
            .expect_ok("accept_invitation")?;
    }
    Ok(())
}

/// Signs up and returns the new session's token. Each account from an
/// address of its own (198.18.0.0/15 is for benchmarks), so seeding many
/// stays under the server's limit of sign-ups per address.
pub(crate) async fn sign_up(http: &Http, name: &str, email: &str) -> Result<String, Failure> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let client = std::net::Ipv4Addr::from(u32::from(std::net::Ipv4Addr::new(198, 18, 0, 0)) + n % (1 << 17));
    let answer = http
        .call_from(client, "sign_up", &[("name", name), ("email", email), ("password", PASSWORD)])
        .await?
        .expect_ok("sign_up")?;
    answer
        .cookie(SESSION_COOKIE)
        .map(str::to_string)
        .ok_or_else(|| Failure::new("sign_up: no session cookie", snippet(&answer.body)))
}

pub(crate) async fn sign_up_with_two_factor(
    http: &Http,
    i: usize,
    email: String,
    invitation_code: Option<&str>,
) -> Result<TwoFactorUser, Failure> {
    let session = sign_up(http, &format!("Two Factor User {i}"), &email).await?;
    if let Some(code) = invitation_code {
        accept_invitations(http, &session, code).await?;
    }
    let cookies = [(SESSION_COOKIE, session.as_str())];
    let started =
        http.call("start_enrollment", &[("password", PASSWORD)], &cookies).await?.expect_ok("start_enrollment")?;
    let setup_key = serde_json::from_str::<serde_json::Value>(&started.body)
        .ok()
        .and_then(|v| v.get("setup_key").and_then(|k| k.as_str()).map(str::to_string))
        .ok_or_else(|| Failure::new("start_enrollment: no setup_key", snippet(&started.body)))?;
    let secret = TotpSecret::from_base32(&setup_key)
        .ok_or_else(|| Failure::new("start_enrollment: setup_key is not base32", setup_key.clone()))?;

    // The previous step's code (accepted: one step of drift), so the account
    // may log in again already in the current step rather than the next one.
    // Away from the step's end, so the server still counts that step as recent.
    wait_clear_of_step_end().await;
    let step = current_step() - 1;
    let code = secret.code_at_step(step, 6);
    http.call("check_enrollment_code", &[("code", &code)], &cookies).await?.expect_ok("check_enrollment_code")?;
    http.call("finish_enrollment", &[], &cookies).await?.expect_ok("finish_enrollment")?;
    Ok(TwoFactorUser { email, secret, last_step: step })
}

pub(crate) fn unix_now() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

/// The TOTP step now on this machine's clock, which the server (same machine) shares.
pub(crate) fn current_step() -> i64 {
    step_of(unix_now().as_secs() as i64)
}

pub(crate) async fn wait_clear_of_step_end() {
    let into_step = unix_now().as_secs_f64() % STEP_SECS as f64;
    let left = STEP_SECS as f64 - into_step;
    if left < 2.0 {
        tokio::time::sleep(Duration::from_secs_f64(left + 0.05)).await;
    }
}

/// Page times one at a time with the server otherwise idle: roughly the
/// server's own cost of rendering each page, to compare with the times under load.
pub(crate) async fn print_idle_page_times(http: &Http, seeded: &Seeded, paths: &[String]) -> Result<(), String> {
    const ROUNDS: usize = 20;
    let mut line = String::from("idle page loads (one at a time, median of 20):");
    for path in paths {
        let mut times = Vec::with_capacity(ROUNDS);
        for _ in 0..ROUNDS {
            let started = Instant::now();
            check_page(
                &http.page(path, &seeded.owner_session).await.map_err(|e| e.to_string())?,
                &seeded.org_name,
                path,
            )
            .map_err(|e| format!("the signed-in page {path} does not load: {e}"))?;
            times.push(started.elapsed());
        }
        times.sort();
        let _ = std::fmt::Write::write_fmt(&mut line, format_args!("  {path} {}", ms(percentile(&times, 0.5))));
    }
    println!("{line}");
    Ok(())
}

/// A signed-in page: 200, and the navigation shows the owner's organization
/// (a lost session would render the signed-out page, also with 200).
pub(crate) fn check_page(answer: &Answer, signed_in_marker: &str, path: &str) -> Result<(), Failure> {
    if answer.status != StatusCode::OK {
        return Err(Failure::new(answer.failure(&format!("GET {path}")), snippet(&answer.body)));
    }
    if !answer.body.contains(signed_in_marker) {
        return Err(Failure::new(format!("GET {path}: not signed in"), snippet(&answer.body)));
    }
    Ok(())
}
