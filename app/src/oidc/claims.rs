//! What the ID token and the userinfo endpoint say about a user.
//!
//! `amr` (RFC 8176) follows how the session began: `["pwd"]` for a password
//! alone, `["pwd","otp"]` after a code from the authenticator app and also
//! after a backup code (a one-time password too); `acr` tells the three
//! apart. A session that did not use a second factor never claims `otp`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::scope::{Scope, Scopes};
use crate::factors::Proof;

pub const ACR_PASSWORD: &str = "urn:portcullis:acr:pwd";
pub const ACR_TOTP: &str = "urn:portcullis:acr:pwd+totp";
pub const ACR_BACKUP_CODE: &str = "urn:portcullis:acr:pwd+backup_code";
pub const ACR_SMS: &str = "urn:portcullis:acr:pwd+sms";
pub const ACR_KEY: &str = "urn:portcullis:acr:pwd+hwk";
pub const ACR_PASSKEY: &str = "urn:portcullis:acr:passkey";
pub const ACR_REMEMBERED: &str = "urn:portcullis:acr:pwd+remembered";
pub const ACR_UPSTREAM: &str = "urn:portcullis:acr:upstream";
pub const ACR_UPSTREAM_MFA: &str = "urn:portcullis:acr:upstream+mfa";

pub fn amr(proof: Proof) -> Vec<&'static str> {
    match proof {
        // A remembered browser gave no code now: the password is all this sign-in proved.
        Proof::Password | Proof::PasswordOnRememberedBrowser => vec!["pwd"],
        Proof::PasswordAndTotp | Proof::PasswordAndBackupCode => vec!["pwd", "otp"],
        // RFC 8176 names "sms" for a code texted to a confirmed number.
        Proof::PasswordAndSms => vec!["pwd", "sms"],
        // RFC 8176: a hardware-secured key; "user" for the verification it made (PIN or biometrics).
        Proof::PasswordAndKey => vec!["pwd", "hwk"],
        Proof::Passkey => vec!["hwk", "user"],
        // Another identity provider vouched ("fed", as Microsoft Entra says it); "mfa" when it said it used several factors.
        Proof::Upstream => vec!["fed"],
        Proof::UpstreamMfa => vec!["fed", "mfa"],
    }
}

pub fn acr(proof: Proof) -> &'static str {
    match proof {
        Proof::Password => ACR_PASSWORD,
        Proof::PasswordAndTotp => ACR_TOTP,
        Proof::PasswordAndBackupCode => ACR_BACKUP_CODE,
        Proof::PasswordAndSms => ACR_SMS,
        Proof::PasswordAndKey => ACR_KEY,
        Proof::Passkey => ACR_PASSKEY,
        Proof::PasswordOnRememberedBrowser => ACR_REMEMBERED,
        Proof::Upstream => ACR_UPSTREAM,
        Proof::UpstreamMfa => ACR_UPSTREAM_MFA,
    }
}

/// Who the claims are about.
#[derive(Debug, Clone)]
pub struct Person<'a> {
    /// Stable per account, never the email: the account's number.
    pub subject: String,
    pub name: &'a str,
    pub email: &'a str,
    /// A link mailed to the address was opened since it became the account's.
    pub email_verified: bool,
}

/// An organization the user belongs to, for the `orgs` scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub slug: String,
    pub name: String,
    pub role: &'static str,
}

/// The claims a set of scopes releases (userinfo, and the ID token).
pub fn scoped_claims(person: &Person, scopes: &Scopes, orgs: &[Membership]) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), person.subject.clone().into());
    if scopes.contains(Scope::Profile) {
        claims.insert("name".into(), person.name.into());
        // The address: unique on this server, and what people type to sign in.
        claims.insert("preferred_username".into(), person.email.into());
    }
    if scopes.contains(Scope::Email) {
        claims.insert("email".into(), person.email.into());
        claims.insert("email_verified".into(), person.email_verified.into());
    }
    if scopes.contains(Scope::Orgs) {
        let orgs: Vec<Value> = orgs.iter().map(|o| json!({ "slug": o.slug, "name": o.name, "role": o.role })).collect();
        claims.insert("orgs".into(), orgs.into());
    }
    if scopes.contains(Scope::Groups) {
        claims.insert("groups".into(), groups(orgs).into());
    }
    claims
}

/// `acme` for every member of Acme, and `acme:owner`, `acme:admin` or `acme:member` for their role.
pub fn groups(orgs: &[Membership]) -> Vec<String> {
    orgs.iter().flat_map(|o| [o.slug.clone(), format!("{}:{}", o.slug, o.role)]).collect()
}

/// The rest of what an ID token needs.
#[derive(Debug, Clone)]
pub struct IdToken<'a> {
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub issued_at: i64,
    pub auth_time: i64,
    pub proof: Proof,
    pub nonce: Option<&'a str>,
    /// Binds the ID token to the access token issued with it.
    pub access_token: Option<&'a str>,
    /// The Portcullis session it came from (OpenID Connect Back-Channel Logout §2.1).
    pub sid: Option<&'a str>,
}

pub fn id_token_claims(token: &IdToken, person: &Person, scopes: &Scopes, orgs: &[Membership]) -> Value {
    let mut claims = scoped_claims(person, scopes, orgs);
    claims.insert("iss".into(), token.issuer.into());
    claims.insert("aud".into(), token.client_id.into());
    claims.insert("azp".into(), token.client_id.into());
    claims.insert("iat".into(), token.issued_at.into());
    claims.insert("exp".into(), (token.issued_at + super::tokens::ID_TOKEN_SECS).into());
    claims.insert("auth_time".into(), token.auth_time.into());
    claims.insert("amr".into(), amr(token.proof).into());
    claims.insert("acr".into(), acr(token.proof).into());
    if let Some(nonce) = token.nonce {
        claims.insert("nonce".into(), nonce.into());
    }
    if let Some(access_token) = token.access_token {
        claims.insert("at_hash".into(), at_hash(access_token).into());
    }
    if let Some(sid) = token.sid {
        claims.insert("sid".into(), sid.into());
    }
    Value::Object(claims)
}

/// The event a logout token carries (Back-Channel Logout §2.4).
pub const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// A logout token is good for two minutes: it is made at each delivery attempt.
pub const LOGOUT_TOKEN_SECS: i64 = 120;

/// A logout token's claims: who (`sub`, and `sid` when the sign-in came from
/// a session), for which application, never a `nonce` (§2.4).
pub fn logout_token_claims(
    issuer: &str,
    client_id: &str,
    sub: &str,
    sid: Option<&str>,
    (now, jti): (i64, &str),
) -> Value {
    let mut claims = json!({
        "iss": issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + LOGOUT_TOKEN_SECS,
        "jti": jti,
        "sub": sub,
        "events": { BACKCHANNEL_LOGOUT_EVENT: {} },
    });
    if let (Some(sid), Some(fields)) = (sid, claims.as_object_mut()) {
        fields.insert("sid".into(), sid.into());
    }
    claims
}

/// OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token.
pub fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Person<'static> {
        Person { subject: "7".into(), name: "Ann Lee", email: "ann@example.com", email_verified: false }
    }

    fn token(proof: Proof) -> IdToken<'static> {
        IdToken {
            issuer: "https://id.example.com",
            client_id: "pcl_1",
            issued_at: 1_000,
            auth_time: 900,
            proof,
            nonce: Some("n-0S6"),
            access_token: None,
            sid: None,
        }
    }

    #[test]
    fn a_password_and_totp_login_claims_otp_and_a_password_alone_never_does() {
        let scopes = Scopes::parse("openid profile email").unwrap();
        let c = id_token_claims(&token(Proof::PasswordAndTotp), &person(), &scopes, &[]);
        assert_eq!(c["amr"], json!(["pwd", "otp"]));
        assert_eq!(c["acr"], ACR_TOTP);
        assert_eq!(
            (&c["iss"], &c["sub"], &c["aud"], &c["iat"], &c["exp"], &c["auth_time"], &c["nonce"]),
            (
                &json!("https://id.example.com"),
                &json!("7"),
                &json!("pcl_1"),
                &json!(1000),
                &json!(1600),
                &json!(900),
                &json!("n-0S6")
            )
        );
        assert_eq!(
            (&c["name"], &c["email"], &c["email_verified"]),
            (&json!("Ann Lee"), &json!("ann@example.com"), &json!(false))
        );
        let c = id_token_claims(&token(Proof::Password), &person(), &scopes, &[]);
        assert_eq!(c["amr"], json!(["pwd"]));
        assert_eq!(c["acr"], ACR_PASSWORD);
        let c = id_token_claims(&token(Proof::Passkey), &person(), &scopes, &[]);
        assert_eq!((c["amr"].clone(), c["acr"].clone()), (json!(["hwk", "user"]), json!(ACR_PASSKEY)));
        let c = id_token_claims(&token(Proof::PasswordAndKey), &person(), &scopes, &[]);
        assert_eq!(c["amr"], json!(["pwd", "hwk"]));
        let c = id_token_claims(&token(Proof::PasswordAndBackupCode), &person(), &scopes, &[]);
        assert_eq!((c["amr"].clone(), c["acr"].clone()), (json!(["pwd", "otp"]), json!(ACR_BACKUP_CODE)));
        // A remembered browser gave no code now: no `otp`, and its own `acr`.
        let c = id_token_claims(&token(Proof::PasswordOnRememberedBrowser), &person(), &scopes, &[]);
        assert_eq!((c["amr"].clone(), c["acr"].clone()), (json!(["pwd"]), json!(ACR_REMEMBERED)));
        // Another identity provider vouched: "fed", and "mfa" only when it said it used several factors.
        let c = id_token_claims(&token(Proof::Upstream), &person(), &scopes, &[]);
        assert_eq!((c["amr"].clone(), c["acr"].clone()), (json!(["fed"]), json!(ACR_UPSTREAM)));
        let c = id_token_claims(&token(Proof::UpstreamMfa), &person(), &scopes, &[]);
        assert_eq!((c["amr"].clone(), c["acr"].clone()), (json!(["fed", "mfa"]), json!(ACR_UPSTREAM_MFA)));
        // A texted code: RFC 8176's "sms", never "otp".
        let c = id_token_claims(&token(Proof::PasswordAndSms), &person(), &scopes, &[]);
        assert_eq!((c["amr"].clone(), c["acr"].clone()), (json!(["pwd", "sms"]), json!(ACR_SMS)));
    }

    #[test]
    fn scopes_decide_which_claims_are_released() {
        let orgs = [Membership { slug: "acme".into(), name: "Acme".into(), role: "admin" }];
        let c = scoped_claims(&person(), &Scopes::parse("openid").unwrap(), &orgs);
        assert_eq!(Value::Object(c), json!({ "sub": "7" }));
        let c = scoped_claims(&person(), &Scopes::parse("openid orgs").unwrap(), &orgs);
        assert_eq!(c["orgs"], json!([{ "slug": "acme", "name": "Acme", "role": "admin" }]));
        assert!(c.get("email").is_none());
        assert!(c.get("groups").is_none() && c.get("preferred_username").is_none());
    }

    #[test]
    fn groups_are_strings_naming_the_organization_and_the_role_in_it() {
        let orgs = [
            Membership { slug: "acme".into(), name: "Acme".into(), role: "admin" },
            Membership { slug: "globex".into(), name: "Globex".into(), role: "member" },
        ];
        let c = scoped_claims(&person(), &Scopes::parse("openid groups profile").unwrap(), &orgs);
        assert_eq!(c["groups"], json!(["acme", "acme:admin", "globex", "globex:member"]));
        assert_eq!(c["preferred_username"], "ann@example.com");
        assert!(c.get("orgs").is_none(), "orgs is its own scope");
    }

    #[test]
    fn a_logout_token_names_the_event_the_subject_and_the_session_and_never_a_nonce() {
        let c = logout_token_claims("https://id.example.com", "pcl_1", "7", Some("abc"), (1_000, "j1"));
        assert_eq!(c["events"], json!({ "http://schemas.openid.net/event/backchannel-logout": {} }));
        assert_eq!(
            (&c["sub"], &c["sid"], &c["aud"], &c["jti"]),
            (&json!("7"), &json!("abc"), &json!("pcl_1"), &json!("j1"))
        );
        assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), LOGOUT_TOKEN_SECS);
        assert!(c.get("nonce").is_none());
        assert!(logout_token_claims("i", "c", "7", None, (1, "j")).get("sid").is_none());
        let c = id_token_claims(
            &IdToken { sid: Some("abc"), ..token(Proof::Password) },
            &person(),
            &Scopes::parse("openid").unwrap(),
            &[],
        );
        assert_eq!(c["sid"], "abc");
    }

    #[test]
    fn at_hash_follows_the_spec_example() {
        // OIDC Core, appendix A.3's access token and at_hash (computed with SHA-256 there too).
        assert_eq!(at_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"), "77QmUPtjPfzWtF2AnpK9RQ");
    }
}
