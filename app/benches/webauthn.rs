//! `cargo bench -p app --features ssr --bench webauthn`: the server's side of
//! the security key ceremonies, as the use cases run them (webauthn-rs, plus
//! the JSON the ceremony state and the key take in the database). The
//! software authenticator's own work (a P-256 key and signature per answer)
//! is made in the untimed setup of each iteration.

#[path = "../../server/tests/common/authenticator.rs"]
#[allow(dead_code)]
mod authenticator;

use authenticator::SoftAuthenticator;
use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use webauthn_rs::prelude::*;

const ORIGIN: &str = "https://id.example.com";

fn relying_party() -> Webauthn {
    let url = Url::parse(ORIGIN).unwrap();
    WebauthnBuilder::new("id.example.com", &url).unwrap().rp_name("Portcullis").build().unwrap()
}

fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

fn benches(c: &mut Criterion) {
    let rp = relying_party();
    let user = Uuid::new_v4();

    c.bench_function("registration start (challenge, state stored as JSON)", |b| {
        b.iter(|| {
            let (options, state) = rp.start_passkey_registration(user, "ann@example.com", "Ann", None).unwrap();
            black_box((serde_json::to_string(&options).unwrap(), serde_json::to_string(&state).unwrap()))
        })
    });
    c.bench_function("registration finish (answer parsed and checked, key stored as JSON)", |b| {
        b.iter_batched(
            || {
                let (options, state) = rp.start_passkey_registration(user, "ann@example.com", "Ann", None).unwrap();
                let answer = SoftAuthenticator::new(ORIGIN).register(&json(&options)).to_string();
                (serde_json::to_string(&state).unwrap(), answer)
            },
            |(state, answer)| {
                let state: PasskeyRegistration = serde_json::from_str(&state).unwrap();
                let answer: RegisterPublicKeyCredential = serde_json::from_str(&answer).unwrap();
                let key = rp.finish_passkey_registration(&answer, &state).unwrap();
                black_box(serde_json::to_string(&key).unwrap())
            },
            BatchSize::SmallInput,
        )
    });

    // One registered key for the authentications.
    let mut authenticator = SoftAuthenticator::new(ORIGIN);
    let (options, state) = rp.start_passkey_registration(user, "ann@example.com", "Ann", None).unwrap();
    let answer: RegisterPublicKeyCredential = serde_json::from_value(authenticator.register(&json(&options))).unwrap();
    let key = serde_json::to_string(&rp.finish_passkey_registration(&answer, &state).unwrap()).unwrap();

    c.bench_function("authentication start (challenge for the account's key)", |b| {
        b.iter(|| {
            let key: Passkey = serde_json::from_str(&key).unwrap();
            let (options, state) = rp.start_passkey_authentication(&[key]).unwrap();
            black_box((serde_json::to_string(&options).unwrap(), serde_json::to_string(&state).unwrap()))
        })
    });
    c.bench_function("authentication finish (signature, counter, key updated)", |b| {
        b.iter_batched(
            || {
                let passkey: Passkey = serde_json::from_str(&key).unwrap();
                let (options, state) = rp.start_passkey_authentication(&[passkey]).unwrap();
                (serde_json::to_string(&state).unwrap(), authenticator.authenticate(&json(&options)).to_string())
            },
            |(state, answer)| {
                let mut passkey: Passkey = serde_json::from_str(&key).unwrap();
                let state: PasskeyAuthentication = serde_json::from_str(&state).unwrap();
                let answer: PublicKeyCredential = serde_json::from_str(&answer).unwrap();
                let result = rp.finish_passkey_authentication(&answer, &state).unwrap();
                passkey.update_credential(&result);
                black_box(serde_json::to_string(&passkey).unwrap())
            },
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(webauthn, benches);
criterion_main!(webauthn);
