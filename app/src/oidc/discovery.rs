//! `/.well-known/openid-configuration` (OpenID Connect Discovery 1.0) and
//! the issuer it is built from.

use serde_json::{json, Value};

use super::claims::acr;
use super::scope::Scope;
use crate::applications::SigningAlg;
use crate::factors::Proof;

pub const AUTHORIZE: &str = "/oidc/authorize";
pub const TOKEN: &str = "/oidc/token";
pub const USERINFO: &str = "/oidc/userinfo";
pub const JWKS: &str = "/oidc/jwks";
pub const END_SESSION: &str = "/oidc/logout";
pub const REVOCATION: &str = "/oidc/revoke";
pub const INTROSPECTION: &str = "/oidc/introspect";

/// The public URL, as the issuer: absolute http(s), no path beyond "/", no
/// query or fragment, https unless on the loopback interface. Returned
/// without a trailing slash, as `iss` must match it exactly.
pub fn validate_issuer(raw: &str) -> Result<String, String> {
    let raw = raw.trim();
    let url = url::Url::parse(raw)
        .map_err(|_| format!("PORTCULLIS_PUBLIC_URL {raw:?} is not an absolute URL such as https://id.example.com"))?;
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(format!("PORTCULLIS_PUBLIC_URL {raw:?} may not have a query, fragment or user info"));
    }
    if url.path() != "/" {
        return Err(format!("PORTCULLIS_PUBLIC_URL {raw:?} must be the site's root: Portcullis serves at / only"));
    }
    match url.scheme() {
        "https" => {}
        "http" if super::redirect::is_loopback(&url) => {}
        _ => {
            return Err(format!(
                "PORTCULLIS_PUBLIC_URL {raw:?} must use https (http only on 127.0.0.1, [::1] or localhost)"
            ))
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

pub fn document(issuer: &str) -> Value {
    let at = |path: &str| format!("{issuer}{path}");
    json!({
        "issuer": issuer,
        "authorization_endpoint": at(AUTHORIZE),
        "token_endpoint": at(TOKEN),
        "userinfo_endpoint": at(USERINFO),
        "jwks_uri": at(JWKS),
        "end_session_endpoint": at(END_SESSION),
        "revocation_endpoint": at(REVOCATION),
        "introspection_endpoint": at(INTROSPECTION),
        "scopes_supported": Scope::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": SigningAlg::ALL.map(SigningAlg::as_str),
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        // Every value a token can carry: one per way a session begins.
        "acr_values_supported": Proof::ALL.iter().map(|p| acr(*p)).collect::<Vec<_>>(),
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash",
                             "sid", "name", "preferred_username", "email", "email_verified", "orgs", "groups"],
        // Only an `acr` asked of the ID token is honoured (step-up); other claims follow the scopes.
        "claims_parameter_supported": true,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_is_an_absolute_root_url() {
        assert_eq!(validate_issuer("https://id.example.com/").unwrap(), "https://id.example.com");
        assert_eq!(validate_issuer("http://127.0.0.1:3000").unwrap(), "http://127.0.0.1:3000");
        assert!(validate_issuer("http://id.example.com").is_err(), "https unless loopback");
        assert!(validate_issuer("https://id.example.com/?x=1").is_err());
        assert!(validate_issuer("https://id.example.com/#x").is_err());
        assert!(validate_issuer("https://id.example.com/auth").is_err());
        assert!(validate_issuer("id.example.com").is_err());
    }

    #[test]
    fn discovery_names_every_endpoint_under_the_issuer() {
        let doc = document("https://id.example.com");
        assert_eq!(doc["issuer"], "https://id.example.com");
        assert_eq!(doc["token_endpoint"], "https://id.example.com/oidc/token");
        assert_eq!(doc["introspection_endpoint"], "https://id.example.com/oidc/introspect");
        assert_eq!(doc["id_token_signing_alg_values_supported"], json!(["RS256", "ES256"]));
        assert!(doc["scopes_supported"].as_array().unwrap().contains(&json!("groups")));
        assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    }

    #[test]
    fn discovery_publishes_every_acr_a_token_can_carry() {
        let doc = document("https://id.example.com");
        let published = doc["acr_values_supported"].as_array().unwrap();
        for proof in Proof::ALL {
            assert!(published.contains(&json!(acr(proof))), "{proof:?}");
        }
        assert!(published.contains(&json!("urn:portcullis:acr:pwd+hwk")));
        assert!(published.contains(&json!("urn:portcullis:acr:passkey")));
    }
}
