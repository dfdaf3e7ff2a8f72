//! Compact JWS with ES256 (ECDSA on P-256 with SHA-256), written here in a
//! few lines rather than pulled in with a JOSE library: the header is fixed
//! (`alg` ES256, never `none` or HS*), and the key id is the public key's
//! RFC 7638 thumbprint.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey as EcKey, VerifyingKey};
use p256::elliptic_curve::sec1::FromEncodedPoint;
use p256::EncodedPoint;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub const ALG: &str = "ES256";

pub struct SigningKey {
    kid: String,
    key: EcKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.kid)
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The public part as a JWK.
fn jwk_of(key: &VerifyingKey, kid: Option<&str>) -> Value {
    let point = key.to_encoded_point(false);
    let coordinate = |c: Option<&p256::FieldBytes>| c.map(|c| b64(c)).unwrap_or_default();
    let mut jwk = json!({ "kty": "EC", "crv": "P-256", "x": coordinate(point.x()), "y": coordinate(point.y()) });
    if let (Some(kid), Some(fields)) = (kid, jwk.as_object_mut()) {
        fields.insert("kid".into(), kid.into());
        fields.insert("use".into(), "sig".into());
        fields.insert("alg".into(), ALG.into());
    }
    jwk
}

/// RFC 7638: the SHA-256 of the required members in lexicographic order.
fn thumbprint(key: &VerifyingKey) -> String {
    let jwk = jwk_of(key, None);
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        jwk["x"].as_str().unwrap_or_default(),
        jwk["y"].as_str().unwrap_or_default()
    );
    b64(&Sha256::digest(canonical.as_bytes()))
}

impl SigningKey {
    pub fn generate() -> Self {
        Self::from_key(EcKey::random(&mut rand::rngs::OsRng))
    }

    fn from_key(key: EcKey) -> Self {
        Self { kid: thumbprint(key.verifying_key()), key }
    }

    /// From the 32-byte secret scalar (as stored, sealed).
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        EcKey::from_slice(bytes).ok().map(Self::from_key)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.key.to_bytes().to_vec()
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// For the JWKS document.
    pub fn public_jwk(&self) -> Value {
        jwk_of(self.key.verifying_key(), Some(&self.kid))
    }

    /// `header.payload.signature`, the signature being r‖s (RFC 7518 §3.4).
    pub fn sign(&self, claims: &Value) -> String {
        let header = json!({ "alg": ALG, "kid": self.kid, "typ": "JWT" });
        let input = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
        let signature: Signature = self.key.sign(input.as_bytes());
        format!("{input}.{}", b64(&signature.to_bytes()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("not a compact JWS")]
    Malformed,
    #[error("the algorithm is not ES256")]
    Algorithm,
    #[error("no key with this id")]
    UnknownKey,
    #[error("the signature does not verify")]
    Signature,
}

/// Checks a token against a set of public JWKs and returns its claims.
/// Used for `id_token_hint` at logout, and by the tests.
pub fn verify(token: &str, jwks: &[Value]) -> Result<Value, VerifyError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(VerifyError::Malformed);
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|_| VerifyError::Malformed);
    let header: Value = serde_json::from_slice(&decode(header)?).map_err(|_| VerifyError::Malformed)?;
    if header["alg"] != ALG {
        return Err(VerifyError::Algorithm);
    }
    let jwk = jwks.iter().find(|k| k["kid"] == header["kid"]).ok_or(VerifyError::UnknownKey)?;
    let coordinate =
        |name: &str| URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap_or_default()).ok().filter(|c| c.len() == 32);
    let (Some(x), Some(y)) = (coordinate("x"), coordinate("y")) else { return Err(VerifyError::UnknownKey) };
    let point = EncodedPoint::from_affine_coordinates(x.as_slice().into(), y.as_slice().into(), false);
    let key = Option::<p256::PublicKey>::from(p256::PublicKey::from_encoded_point(&point))
        .map(VerifyingKey::from)
        .ok_or(VerifyError::UnknownKey)?;
    let signature = Signature::from_slice(&decode(signature)?).map_err(|_| VerifyError::Signature)?;
    let input_len = token.len() - token.rsplit('.').next().map_or(0, str::len) - 1;
    key.verify(&token.as_bytes()[..input_len], &signature).map_err(|_| VerifyError::Signature)?;
    serde_json::from_slice(&decode(payload)?).map_err(|_| VerifyError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_token_verifies_with_the_published_key_only() {
        let key = SigningKey::generate();
        let token = key.sign(&json!({ "sub": "42" }));
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(header, json!({ "alg": "ES256", "kid": key.kid(), "typ": "JWT" }));
        assert_eq!(verify(&token, &[key.public_jwk()]).unwrap()["sub"], "42");

        let other = SigningKey::generate();
        assert_eq!(verify(&token, &[other.public_jwk()]), Err(VerifyError::UnknownKey));
        let mut forged = other.public_jwk();
        forged["kid"] = key.kid().into();
        assert_eq!(verify(&token, &[forged]), Err(VerifyError::Signature));
        let (input, _) = token.rsplit_once('.').unwrap();
        let tampered =
            format!("{}.{}", input.replace(&input[input.len() - 4..], "AAAA"), token.rsplit('.').next().unwrap());
        assert!(verify(&tampered, &[key.public_jwk()]).is_err());
    }

    #[test]
    fn alg_none_is_never_accepted() {
        let key = SigningKey::generate();
        let header = b64(json!({ "alg": "none", "kid": key.kid() }).to_string().as_bytes());
        let token = format!("{header}.{}.", b64(b"{}"));
        assert_eq!(verify(&token, &[key.public_jwk()]), Err(VerifyError::Algorithm));
    }

    #[test]
    fn keys_survive_storage_and_have_thumbprint_ids() {
        let key = SigningKey::generate();
        let again = SigningKey::from_bytes(&key.to_bytes()).unwrap();
        assert_eq!(again.kid(), key.kid());
        assert_eq!(key.kid().len(), 43);
        let jwk = key.public_jwk();
        assert_eq!(
            (jwk["kty"].as_str(), jwk["crv"].as_str(), jwk["alg"].as_str()),
            (Some("EC"), Some("P-256"), Some("ES256"))
        );
        assert!(jwk.get("d").is_none(), "no private part");
        assert!(SigningKey::from_bytes(&[0u8; 32]).is_none());
    }
}
