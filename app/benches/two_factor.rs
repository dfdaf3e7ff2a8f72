//! `cargo bench -p app --features ssr`: the costs on the second-factor path.

use app::twofactor::backup_codes;
use app::twofactor::qr;
use app::twofactor::secret_box::Keys;
use app::twofactor::totp::{matching_step, step_of, TotpSecret};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn benches(c: &mut Criterion) {
    let secret = TotpSecret::generate();
    let now = 1_795_305_600;
    let right = secret.code_at_step(step_of(now), 6);
    c.bench_function("totp verify (3-step window, right code)", |b| {
        b.iter(|| matching_step(black_box(&secret), black_box(&right), now))
    });
    c.bench_function("totp verify (3-step window, wrong code)", |b| {
        b.iter(|| matching_step(black_box(&secret), black_box("000000"), now))
    });
    let uri = secret.otpauth_uri("alice@example.com");
    c.bench_function("qr code render (svg)", |b| b.iter(|| qr::svg(black_box(&uri))));
    let keys = Keys::new(&[7; 32]);
    let sealed = keys.seal(secret.as_bytes(), "totp-secret:1");
    c.bench_function("open sealed totp secret (aes-256-gcm)", |b| {
        b.iter(|| keys.open(black_box(&sealed), "totp-secret:1"))
    });
    c.bench_function("backup codes generate (5)", |b| b.iter(backup_codes::generate));
}

criterion_group!(two_factor, benches);
criterion_main!(two_factor);
