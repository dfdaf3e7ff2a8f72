//! Signed tokens (compact JWS) with `jsonwebtoken`: RS256 (RSA 2048, the
//! OpenID Connect default) and ES256 (P-256), one signing key of each. Only
//! these two are ever produced or accepted (never `none` or HS*), and a
//! key's id is its public key's RFC 7638 thumbprint.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use p256::pkcs8::EncodePrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub use crate::applications::SigningAlg;

/// RSA keys Portcullis makes: 2048 bits, what RS256 relying parties expect and verify fast.
const RSA_BITS: usize = 2048;

pub struct SigningKey {
    alg: SigningAlg,
    kid: String,
    /// As stored (sealed): the P-256 scalar, or the RSA key in PKCS#1 DER.
    secret: Vec<u8>,
    encoding: EncodingKey,
    /// RS256 keys sign with ring: the pure-Rust RSA behind `jsonwebtoken`
    /// was half the CPU of a code redemption (`perf`, scripts/bench-oidc.sh).
    rsa: Option<ring::signature::RsaKeyPair>,
    public: Value,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({}, {})", self.alg.as_str(), self.kid)
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn algorithm(alg: SigningAlg) -> Algorithm {
    match alg {
        SigningAlg::Rs256 => Algorithm::RS256,
        SigningAlg::Es256 => Algorithm::ES256,
    }
}

/// RFC 7638: the SHA-256 of the required members, in lexicographic order, without spaces.
fn thumbprint(jwk: &Value) -> String {
    let field = |name: &str| jwk[name].as_str().unwrap_or_default().to_string();
    let canonical = match jwk["kty"].as_str() {
        Some("RSA") => format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, field("e"), field("n")),
        _ => format!(r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#, field("x"), field("y")),
    };
    b64(&Sha256::digest(canonical.as_bytes()))
}

/// The public JWK with its id, use and algorithm.
fn published(mut jwk: Value, alg: SigningAlg) -> (String, Value) {
    let kid = thumbprint(&jwk);
    if let Some(fields) = jwk.as_object_mut() {
        fields.insert("kid".into(), kid.clone().into());
        fields.insert("use".into(), "sig".into());
        fields.insert("alg".into(), alg.as_str().into());
    }
    (kid, jwk)
}

impl SigningKey {
    /// A new key from the OS's random numbers.
    pub fn generate(alg: SigningAlg) -> Option<Self> {
        let secret = match alg {
            SigningAlg::Es256 => p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng).to_bytes().to_vec(),
            SigningAlg::Rs256 => {
                let key = rsa::PrivateKey::new(&mut OsRandom, RSA_BITS).ok()?;
                key.to_pkcs1_der().ok()?.as_bytes().to_vec()
            }
        };
        Self::from_bytes(alg, &secret)
    }

    /// From what `to_bytes` gave (as stored, sealed).
    pub fn from_bytes(alg: SigningAlg, secret: &[u8]) -> Option<Self> {
        let rsa = match alg {
            SigningAlg::Rs256 => Some(ring::signature::RsaKeyPair::from_der(secret).ok()?),
            SigningAlg::Es256 => None,
        };
        let (encoding, jwk) = match alg {
            SigningAlg::Es256 => {
                let key = p256::ecdsa::SigningKey::from_slice(secret).ok()?;
                let point = key.verifying_key().to_encoded_point(false);
                let jwk = json!({ "kty": "EC", "crv": "P-256", "x": b64(point.x()?), "y": b64(point.y()?) });
                let der = p256::SecretKey::from_slice(secret).ok()?.to_pkcs8_der().ok()?;
                (EncodingKey::from_ec_der(der.as_bytes()), jwk)
            }
            SigningAlg::Rs256 => {
                let key = rsa::PrivateKey::from_pkcs1_der(secret).ok()?;
                let jwk = json!({ "kty": "RSA", "n": b64(&key.n_bytes()), "e": b64(&key.e_bytes()) });
                (EncodingKey::from_rsa_der(secret), jwk)
            }
        };
        let (kid, public) = published(jwk, alg);
        Some(Self { alg, kid, secret: secret.to_vec(), encoding, rsa, public })
    }

    pub fn to_bytes(&self) -> &[u8] {
        &self.secret
    }

    pub fn alg(&self) -> SigningAlg {
        self.alg
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// For the JWKS document.
    pub fn public_jwk(&self) -> Value {
        self.public.clone()
    }

    /// `header.payload.signature` with `typ` (JWT, or e.g. `logout+jwt`) in the header.
    pub fn sign_typed(&self, typ: &str, claims: &Value) -> Option<String> {
        if let Some(rsa) = &self.rsa {
            return sign_rs256(rsa, &json!({ "alg": "RS256", "kid": self.kid, "typ": typ }), claims);
        }
        let mut header = Header::new(algorithm(self.alg));
        header.kid = Some(self.kid.clone());
        header.typ = Some(typ.into());
        jsonwebtoken::encode(&header, claims, &self.encoding).ok()
    }

    /// A JWT.
    pub fn sign(&self, claims: &Value) -> Option<String> {
        self.sign_typed("JWT", claims)
    }
}

/// RFC 7515's compact serialization, RSASSA-PKCS1-v1_5 with SHA-256.
fn sign_rs256(key: &ring::signature::RsaKeyPair, header: &Value, claims: &Value) -> Option<String> {
    let mut jws = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
    let mut signature = vec![0; key.public().modulus_len()];
    let rng = ring::rand::SystemRandom::new();
    key.sign(&ring::signature::RSA_PKCS1_SHA256, &rng, jws.as_bytes(), &mut signature).ok()?;
    jws.push('.');
    jws.push_str(&b64(&signature));
    Some(jws)
}

/// The OS's random numbers for `rsa`, which takes a generator of a newer `rand_core` than ours.
struct OsRandom;

impl rsa::rand_core::TryRng for OsRandom {
    type Error = rand::Error;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut bytes = [0; 4];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u32::from_le_bytes(bytes))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut bytes = [0; 8];
        self.try_fill_bytes(&mut bytes)?;
        Ok(u64::from_le_bytes(bytes))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        rand::RngCore::try_fill_bytes(&mut rand::rngs::OsRng, dst)
    }
}

impl rsa::rand_core::TryCryptoRng for OsRandom {}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("not a compact JWS")]
    Malformed,
    #[error("the algorithm is neither RS256 nor ES256, or not the key's")]
    Algorithm,
    #[error("no key with this id")]
    UnknownKey,
    #[error("the signature does not verify")]
    Signature,
}

/// Checks a token against a set of public JWKs and returns its claims
/// (expiry and audience are the caller's to check). Used for `id_token_hint`
/// at logout, and by the tests.
pub fn verify(token: &str, jwks: &[Value]) -> Result<Value, VerifyError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| VerifyError::Malformed)?;
    let alg = match header.alg {
        Algorithm::RS256 => SigningAlg::Rs256,
        Algorithm::ES256 => SigningAlg::Es256,
        _ => return Err(VerifyError::Algorithm),
    };
    let jwk = jwks.iter().find(|k| header.kid.as_deref().is_some_and(|kid| k["kid"] == kid));
    let jwk = jwk.ok_or(VerifyError::UnknownKey)?;
    // The key says which algorithm it is for: a token may not pick another.
    if jwk["alg"] != alg.as_str() {
        return Err(VerifyError::Algorithm);
    }
    let jwk: Jwk = serde_json::from_value(jwk.clone()).map_err(|_| VerifyError::UnknownKey)?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| VerifyError::UnknownKey)?;
    let mut validation = Validation::new(algorithm(alg));
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    match jsonwebtoken::decode::<Value>(token, &key, &validation) {
        Ok(data) => Ok(data.claims),
        Err(e) => match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => Err(VerifyError::Signature),
            _ => Err(VerifyError::Malformed),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header_of(token: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap()).unwrap()
    }

    #[test]
    fn a_signed_token_verifies_with_the_published_key_only() {
        for alg in SigningAlg::ALL {
            let key = SigningKey::generate(alg).unwrap();
            let token = key.sign(&json!({ "sub": "42" })).unwrap();
            assert_eq!(header_of(&token), json!({ "alg": alg.as_str(), "kid": key.kid(), "typ": "JWT" }));
            assert_eq!(verify(&token, &[key.public_jwk()]).unwrap()["sub"], "42");

            let other = SigningKey::generate(alg).unwrap();
            assert_eq!(verify(&token, &[other.public_jwk()]), Err(VerifyError::UnknownKey));
            let mut forged = other.public_jwk();
            forged["kid"] = key.kid().into();
            assert_eq!(verify(&token, &[forged]), Err(VerifyError::Signature));
            let (input, signature) = token.rsplit_once('.').unwrap();
            let tampered = format!("{}AAAA.{signature}", &input[..input.len() - 4]);
            assert!(verify(&tampered, &[key.public_jwk()]).is_err());
        }
    }

    #[test]
    fn alg_none_and_hmac_are_never_accepted_nor_an_algorithm_the_key_is_not_for() {
        let key = SigningKey::generate(SigningAlg::Es256).unwrap();
        for alg in ["none", "HS256"] {
            let header = b64(json!({ "alg": alg, "kid": key.kid() }).to_string().as_bytes());
            let token = format!("{header}.{}.", b64(b"{}"));
            assert!(verify(&token, &[key.public_jwk()]).is_err(), "{alg}");
        }
        let rsa = SigningKey::generate(SigningAlg::Rs256).unwrap();
        let token = rsa.sign(&json!({ "sub": "1" })).unwrap();
        let mut relabelled = rsa.public_jwk();
        relabelled["alg"] = "ES256".into();
        assert_eq!(verify(&token, &[relabelled]), Err(VerifyError::Algorithm));
    }

    #[test]
    fn keys_survive_storage_and_have_thumbprint_ids() {
        for (alg, kty) in [(SigningAlg::Es256, "EC"), (SigningAlg::Rs256, "RSA")] {
            let key = SigningKey::generate(alg).unwrap();
            let again = SigningKey::from_bytes(alg, key.to_bytes()).unwrap();
            assert_eq!(again.kid(), key.kid());
            assert_eq!(key.kid().len(), 43);
            let jwk = key.public_jwk();
            assert_eq!((jwk["kty"].as_str(), jwk["alg"].as_str()), (Some(kty), Some(alg.as_str())));
            assert!(jwk.get("d").is_none(), "no private part");
        }
        assert!(SigningKey::from_bytes(SigningAlg::Es256, &[0u8; 32]).is_none());
        assert!(SigningKey::from_bytes(SigningAlg::Rs256, b"not DER").is_none());
    }

    #[test]
    fn an_rsa_thumbprint_follows_rfc_7638() {
        // RFC 7638 §3.1's example key and thumbprint.
        let jwk = json!({ "kty": "RSA", "e": "AQAB", "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw" });
        assert_eq!(thumbprint(&jwk), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
    }
}
