//! A software authenticator for the tests: ES256 (P-256) credentials, "none"
//! attestation, CBOR written by hand. It answers the options the server
//! sends as a browser's `navigator.credentials.create` / `get` would (the
//! JSON of `PublicKeyCredential.toJSON()`), and can be told to misbehave:
//! another origin, a counter that goes backwards, no user verification.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const BE: u8 = 0x08;
const BS: u8 = 0x10;
const AT: u8 = 0x40;

/// A tiny CBOR writer: what attestation objects and COSE keys need.
enum Cbor {
    Int(i64),
    Bytes(Vec<u8>),
    Text(&'static str),
    Map(Vec<(Cbor, Cbor)>),
}

fn head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend([m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend((n as u16).to_be_bytes());
        }
        _ => {
            out.push(m | 26);
            out.extend((n as u32).to_be_bytes());
        }
    }
}

impl Cbor {
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Cbor::Int(i) if *i >= 0 => head(out, 0, *i as u64),
            Cbor::Int(i) => head(out, 1, (-1 - *i) as u64),
            Cbor::Bytes(b) => {
                head(out, 2, b.len() as u64);
                out.extend(b);
            }
            Cbor::Text(t) => {
                head(out, 3, t.len() as u64);
                out.extend(t.as_bytes());
            }
            Cbor::Map(entries) => {
                head(out, 5, entries.len() as u64);
                for (k, v) in entries {
                    k.write(out);
                    v.write(out);
                }
            }
        }
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write(&mut out);
        out
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).expect("base64url")
}

#[derive(Clone)]
pub struct Credential {
    pub id: Vec<u8>,
    key: SigningKey,
    user_handle: Vec<u8>,
    pub counter: u32,
}

/// How one answer should (mis)behave.
#[derive(Clone, Default)]
pub struct Quirks {
    /// The page's origin, when not the authenticator's own.
    pub origin: Option<String>,
    /// The counter to report instead of the next one.
    pub counter: Option<u32>,
    /// Report that the user was not verified (no PIN, no biometrics).
    pub no_user_verification: bool,
    /// Sign for another relying party id.
    pub rp_id: Option<String>,
}

#[derive(Clone)]
pub struct SoftAuthenticator {
    pub origin: String,
    rp_id: String,
    /// Synced passkeys (backup eligible and backed up), or a device-bound key.
    synced: bool,
    pub credentials: Vec<Credential>,
}

impl SoftAuthenticator {
    /// A security key bound to this device, for pages at `origin` (`http://localhost:1234`).
    pub fn new(origin: &str) -> Self {
        let rp_id = url::Url::parse(origin).unwrap().host_str().unwrap().to_string();
        Self { origin: origin.to_string(), rp_id, synced: false, credentials: Vec::new() }
    }

    /// A password manager's passkeys: synced between devices.
    pub fn synced(origin: &str) -> Self {
        Self { synced: true, ..Self::new(origin) }
    }

    fn flags(&self, uv: bool) -> u8 {
        let mut flags = UP;
        if uv {
            flags |= UV;
        }
        if self.synced {
            flags |= BE | BS;
        }
        flags
    }

    fn client_data(&self, kind: &str, challenge: &str, quirks: &Quirks) -> Vec<u8> {
        let origin = quirks.origin.clone().unwrap_or_else(|| self.origin.clone());
        serde_json::to_vec(&json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false}))
            .unwrap()
    }

    /// Answers `navigator.credentials.create(options)`: a new credential.
    pub fn register(&mut self, options: &Value) -> Value {
        self.register_with(options, &Quirks::default())
    }

    pub fn register_with(&mut self, options: &Value, quirks: &Quirks) -> Value {
        let public_key = &options["publicKey"];
        let challenge = public_key["challenge"].as_str().expect("a challenge");
        let user_handle = unb64(public_key["user"]["id"].as_str().expect("a user handle"));
        let key = SigningKey::from_slice(&rand::random::<[u8; 32]>()).expect("a P-256 key");
        let id = rand::random::<[u8; 16]>().to_vec();
        let point = key.verifying_key().to_encoded_point(false);
        let cose = Cbor::Map(vec![
            (Cbor::Int(1), Cbor::Int(2)),
            (Cbor::Int(3), Cbor::Int(-7)),
            (Cbor::Int(-1), Cbor::Int(1)),
            (Cbor::Int(-2), Cbor::Bytes(point.x().unwrap().to_vec())),
            (Cbor::Int(-3), Cbor::Bytes(point.y().unwrap().to_vec())),
        ]);
        let rp_id = quirks.rp_id.clone().unwrap_or_else(|| self.rp_id.clone());
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(self.flags(!quirks.no_user_verification) | AT);
        auth_data.extend(0u32.to_be_bytes());
        auth_data.extend([0u8; 16]);
        auth_data.extend((id.len() as u16).to_be_bytes());
        auth_data.extend(&id);
        auth_data.extend(cose.encode());
        let attestation = Cbor::Map(vec![
            (Cbor::Text("fmt"), Cbor::Text("none")),
            (Cbor::Text("attStmt"), Cbor::Map(vec![])),
            (Cbor::Text("authData"), Cbor::Bytes(auth_data)),
        ]);
        let client_data = self.client_data("webauthn.create", challenge, quirks);
        self.credentials.push(Credential { id: id.clone(), key, user_handle, counter: 0 });
        json!({
            "id": b64(&id),
            "rawId": b64(&id),
            "type": "public-key",
            "response": {
                "attestationObject": b64(&attestation.encode()),
                "clientDataJSON": b64(&client_data),
                "transports": ["usb"],
            },
            "clientExtensionResults": {},
        })
    }

    /// Answers `navigator.credentials.get(options)` with the first of its
    /// credentials the options allow (any, for a discoverable request).
    pub fn authenticate(&mut self, options: &Value) -> Value {
        self.authenticate_with(options, &Quirks::default())
    }

    pub fn authenticate_with(&mut self, options: &Value, quirks: &Quirks) -> Value {
        let public_key = &options["publicKey"];
        let challenge = public_key["challenge"].as_str().expect("a challenge").to_string();
        let allowed: Vec<Vec<u8>> = public_key["allowCredentials"]
            .as_array()
            .map(|list| list.iter().map(|c| unb64(c["id"].as_str().unwrap())).collect())
            .unwrap_or_default();
        let flags = self.flags(!quirks.no_user_verification);
        let rp_id = quirks.rp_id.clone().unwrap_or_else(|| self.rp_id.clone());
        let client_data = self.client_data("webauthn.get", &challenge, quirks);
        let credential = self
            .credentials
            .iter_mut()
            .find(|c| allowed.is_empty() || allowed.contains(&c.id))
            .expect("a credential the options allow");
        credential.counter += 1;
        let counter = quirks.counter.unwrap_or(credential.counter);
        let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
        auth_data.push(flags);
        auth_data.extend(counter.to_be_bytes());
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(&client_data));
        let signature: Signature = credential.key.sign(&signed);
        json!({
            "id": b64(&credential.id),
            "rawId": b64(&credential.id),
            "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth_data),
                "clientDataJSON": b64(&client_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": b64(&credential.user_handle),
            },
            "clientExtensionResults": {},
        })
    }
}
