//! Token endpoint throughput: authorization code redemptions per second.
//! Used by scripts/bench-oidc.sh against a fresh release server.
//!
//! It signs up a user, makes an organization and a confidential application,
//! allows it once, then for `--duration` seconds repeats: mint a batch of
//! codes (authorization requests from the signed-in browser, which answer at
//! once with a code), then redeem the batch with `--concurrency` concurrent
//! token requests (client_secret_basic, PKCE S256). Only the redemptions are
//! timed. Codes live 60 s, so batches stay small enough to redeem in time.
//!
//! With `--peer ISSUER --client-id ID --client-secret SECRET` it measures a peer
//! instead (end2end/perf/oidc-provider-bench.mjs): the batches come from the
//! peer's `/bench/mint`, and are redeemed at the token endpoint its discovery
//! document names, in the same way, with the same concurrency.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark run against a fresh server: any failure must stop it loudly"
)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::redirect::Policy;
use serde_json::Value;

const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
const VERIFIER: &str = "bench-verifier-bench-verifier-bench-verifier-0123456789";

struct Args {
    url: String,
    duration: u64,
    concurrency: usize,
    batch: usize,
    peer: Option<Peer>,
}

struct Peer {
    issuer: String,
    client_id: String,
    client_secret: String,
}

fn args() -> Args {
    let mut args = Args { url: String::new(), duration: 20, concurrency: 8, batch: 400, peer: None };
    let mut peer = Peer { issuer: String::new(), client_id: String::new(), client_secret: String::new() };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--url" => args.url = value,
            "--duration" => args.duration = value.parse().unwrap_or(args.duration),
            "--concurrency" => args.concurrency = value.parse().unwrap_or(args.concurrency),
            "--batch" => args.batch = value.parse().unwrap_or(args.batch),
            "--peer" => peer.issuer = value,
            "--client-id" => peer.client_id = value,
            "--client-secret" => peer.client_secret = value,
            other => panic!("unknown argument {other}"),
        }
    }
    if !peer.issuer.is_empty() {
        args.peer = Some(peer);
    } else {
        assert!(!args.url.is_empty(), "--url http://127.0.0.1:PORT, or --peer ISSUER");
    }
    args
}

/// Where the codes come from: Portcullis's authorization endpoint, with the
/// signed-in browser, or a peer's mint.
enum Minter {
    Portcullis { browser: reqwest::Client, authorize: String },
    Peer { http: reqwest::Client, mint: String },
}

impl Minter {
    async fn batch(&self, n: usize) -> Vec<String> {
        match self {
            Minter::Portcullis { browser, authorize } => {
                let mut codes = Vec::with_capacity(n);
                for i in 0..n {
                    // Authorization requests are limited per address: the server trusts this tool as
                    // its proxy (scripts/bench-oidc.sh), and each request comes "from" its own address.
                    let from = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
                    let res = browser.get(authorize).header("X-Forwarded-For", from).send().await.unwrap();
                    let url = location(&res);
                    match param(&url, "code") {
                        Some(code) => codes.push(code),
                        None => panic!("no code: {} {url} {}", res.status(), res.text().await.unwrap_or_default()),
                    }
                }
                codes
            }
            Minter::Peer { http, mint } => http
                .get(format!("{mint}?n={n}"))
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap()
                .json()
                .await
                .unwrap(),
        }
    }
}

/// The client, the token endpoint and the minter of a peer.
async fn peer_setup(peer: &Peer) -> (String, String, String, Minter) {
    let http = reqwest::Client::new();
    let issuer = peer.issuer.trim_end_matches('/');
    let discovery: Value =
        http.get(format!("{issuer}/.well-known/openid-configuration")).send().await.unwrap().json().await.unwrap();
    let token = discovery["token_endpoint"].as_str().expect("the peer's token_endpoint").to_string();
    let minter = Minter::Peer { http, mint: format!("{issuer}/bench/mint") };
    (peer.client_id.clone(), peer.client_secret.clone(), token, minter)
}

async fn call(http: &reqwest::Client, base: &str, name: &str, form: &[(&str, &str)]) -> Value {
    let res =
        http.post(format!("{base}/api/{name}")).header("Accept", "application/json").form(form).send().await.unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{name}: {status} {body}");
    body
}

fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

#[tokio::main]
async fn main() {
    let args = args();
    let (client_id, secret, token_url, minter) = match &args.peer {
        Some(peer) => peer_setup(peer).await,
        None => portcullis_setup(&args.url).await,
    };
    redeem(&args, &client_id, &secret, &token_url, &minter).await;
}

/// A user, an organization and a confidential application allowed once; the
/// authorization request that now answers with a code at once.
async fn portcullis_setup(url: &str) -> (String, String, String, Minter) {
    let base = url.trim_end_matches('/').to_string();
    let browser = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
    let email = format!("bench-{}@example.com", rand::random::<u32>());
    call(&browser, &base, "sign_up", &[("name", "Bench"), ("email", &email), ("password", "correct horse battery")])
        .await;
    let slug = format!("bench-{}", rand::random::<u32>());
    call(&browser, &base, "create_org", &[("name", "Bench"), ("slug", &slug)]).await;
    let made = call(
        &browser,
        &base,
        "register_application",
        &[("slug", &slug), ("name", "Bench"), ("redirect_uris", REDIRECT_URI)],
    )
    .await;
    let client_id = made["client_id"].as_str().unwrap().to_string();
    let secret = made["client_secret"].as_str().unwrap().to_string();
    let challenge = app::oidc::pkce::s256(VERIFIER);
    let query = {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.extend_pairs([
            ("response_type", "code"),
            ("client_id", client_id.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid profile email"),
            ("state", "bench"),
            ("nonce", "bench"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ]);
        q.finish()
    };
    let authorize = format!("{base}/oidc/authorize?{query}");
    // Allow once.
    let first = location(&browser.get(&authorize).send().await.unwrap());
    let handle = param(&first, "request").expect("the consent page");
    let next = call(&browser, &base, "decide_consent", &[("request", &handle), ("allow", "true")]).await;
    browser.get(format!("{base}{}", next.as_str().unwrap())).send().await.unwrap();
    (client_id, secret, format!("{base}/oidc/token"), Minter::Portcullis { browser, authorize })
}

async fn redeem(args: &Args, client_id: &str, secret: &str, token_url: &str, minter: &Minter) {
    let rp = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build().unwrap();
    let (mut redeemed, mut timed, mut latencies, mut errors) = (0u64, Duration::ZERO, Vec::new(), 0u32);
    let (mut minted, mut minting) = (0u64, Duration::ZERO);
    let end = Instant::now() + Duration::from_secs(args.duration);
    while Instant::now() < end {
        let started = Instant::now();
        let codes = minter.batch(args.batch).await;
        minting += started.elapsed();
        minted += codes.len() as u64;
        let codes = Arc::new(codes);
        let next = Arc::new(AtomicU32::new(0));
        let started = Instant::now();
        let workers: Vec<_> = (0..args.concurrency)
            .map(|_| {
                let (rp, codes, next, token_url, client_id, secret) = (
                    rp.clone(),
                    codes.clone(),
                    next.clone(),
                    token_url.to_string(),
                    client_id.to_string(),
                    secret.to_string(),
                );
                tokio::spawn(async move {
                    let (mut times, mut failed) = (Vec::new(), 0u32);
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst) as usize;
                        let Some(code) = codes.get(i) else { break };
                        let t = Instant::now();
                        let res = rp
                            .post(&token_url)
                            .basic_auth(&client_id, Some(&secret))
                            .form(&[
                                ("grant_type", "authorization_code"),
                                ("code", code),
                                ("redirect_uri", REDIRECT_URI),
                                ("code_verifier", VERIFIER),
                            ])
                            .send()
                            .await;
                        match res {
                            Ok(r) if r.status().is_success() => {
                                let _ = r.bytes().await;
                                times.push(t.elapsed());
                            }
                            Ok(r) => {
                                failed += 1;
                                eprintln!("token: {} {}", r.status(), r.text().await.unwrap_or_default());
                            }
                            Err(e) => {
                                failed += 1;
                                eprintln!("token: {e}");
                            }
                        }
                    }
                    (times, failed)
                })
            })
            .collect();
        for worker in workers {
            let (times, failed) = worker.await.unwrap();
            redeemed += times.len() as u64;
            latencies.extend(times);
            errors += failed;
        }
        timed += started.elapsed();
    }
    latencies.sort();
    let pct =
        |p: f64| latencies.get(((latencies.len() as f64 - 1.0) * p) as usize).map_or(0.0, |d| d.as_secs_f64() * 1000.0);
    println!(
        "code redemptions: {redeemed} in {:.1} s = {:.0}/s at concurrency {}; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; errors {errors}",
        timed.as_secs_f64(),
        redeemed as f64 / timed.as_secs_f64(),
        args.concurrency,
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "(codes minted: {minted} at {:.0}/s, by the authorization endpoint one request at a time, or by the peer's mint)",
        minted as f64 / minting.as_secs_f64()
    );
    if errors > 0 {
        std::process::exit(1);
    }
}
