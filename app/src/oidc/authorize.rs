//! Validating an authorization request (OIDC Core §3.1.2). Two kinds of
//! refusal: before the client and its redirect URI are known to be right, an
//! error page (redirecting anywhere would make us an open redirector);
//! after, the error goes back to the client, with its `state`.

use super::error::{ErrorCode, OAuthError};
use super::pkce;
use super::redirect;
use super::scope::{ScopeError, Scopes};

const MAX_STATE: usize = 2000;
const MAX_NONCE: usize = 500;

/// The query's parameters in order, as received.
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// A parameter that may appear at most once (RFC 6749 §3.1); empty counts as absent.
    pub fn single(&self, name: &str) -> Result<Option<&str>, OAuthError> {
        let mut values = self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.as_str());
        let first = values.next();
        if values.next().is_some() {
            return Err(OAuthError::invalid_request(format!("The parameter {name} appears more than once.")));
        }
        Ok(first.filter(|v| !v.is_empty()))
    }
}

/// What `prompt` asks for; `none` stands alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

impl Prompt {
    pub fn parse(raw: Option<&str>) -> Result<Self, OAuthError> {
        let mut prompt = Prompt::default();
        for value in raw.unwrap_or("").split(' ').filter(|v| !v.is_empty()) {
            match value {
                "none" => prompt.none = true,
                "login" => prompt.login = true,
                "consent" => prompt.consent = true,
                // One account per browser: there is nothing to select.
                "select_account" => {}
                other => {
                    let other: String = other.chars().take(40).collect();
                    return Err(OAuthError::invalid_request(format!("Unknown prompt value \"{other}\".")));
                }
            }
        }
        if prompt.none && (prompt.login || prompt.consent) {
            return Err(OAuthError::invalid_request("prompt=none cannot be combined with other values."));
        }
        Ok(prompt)
    }

    /// Stored with the request: "none", "login consent", "".
    pub fn as_string(self) -> String {
        let mut out = Vec::new();
        if self.none {
            out.push("none");
        }
        if self.login {
            out.push("login");
        }
        if self.consent {
            out.push("consent");
        }
        out.join(" ")
    }
}

/// The registered application, as far as validation needs it.
#[derive(Debug, Clone, Copy)]
pub struct Registration<'a> {
    pub redirect_uris: &'a [String],
    /// Public clients (no secret) must use PKCE.
    pub public: bool,
}

/// A valid request, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthRequest {
    pub redirect_uri: String,
    pub scopes: Scopes,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    /// The `acr` values asked for (ours only), for step-up.
    pub acr_values: Vec<String>,
}

/// Why a request is refused, and where the refusal goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Shown on an error page: the client or redirect URI is not trustworthy.
    Page(String),
    /// Sent back to the (valid) redirect URI.
    Redirect { redirect_uri: String, state: Option<String>, error: OAuthError },
}

/// The `client_id`, first of all.
pub fn client_id(params: &Params) -> Result<&str, Refused> {
    match params.single("client_id") {
        Ok(Some(id)) => Ok(id),
        Ok(None) => Err(Refused::Page("The request names no application (client_id is missing).".into())),
        Err(e) => Err(Refused::Page(e.description)),
    }
}

pub fn validate(params: &Params, registration: Registration) -> Result<AuthRequest, Refused> {
    let redirect_uri = match params.single("redirect_uri") {
        Ok(Some(uri)) if redirect::is_registered(registration.redirect_uris, uri) => uri.to_string(),
        Ok(Some(_)) => {
            return Err(Refused::Page("The redirect_uri is not one registered for this application.".into()))
        }
        Ok(None) => return Err(Refused::Page("The request has no redirect_uri.".into())),
        Err(e) => return Err(Refused::Page(e.description)),
    };
    let state = match params.single("state") {
        Ok(state) => state.map(str::to_string),
        // The state cannot be trusted either way: none is returned.
        Err(error) => return Err(Refused::Redirect { redirect_uri, state: None, error }),
    };
    let refuse =
        |error: OAuthError| Refused::Redirect { redirect_uri: redirect_uri.clone(), state: state.clone(), error };
    let request = checked(params, registration, state.as_deref()).map_err(refuse)?;
    Ok(AuthRequest { redirect_uri: redirect_uri.clone(), state: state.clone(), ..request })
}

fn checked(params: &Params, registration: Registration, state: Option<&str>) -> Result<AuthRequest, OAuthError> {
    for (name, code) in [
        ("request", ErrorCode::RequestNotSupported),
        ("request_uri", ErrorCode::RequestUriNotSupported),
        ("registration", ErrorCode::RegistrationNotSupported),
    ] {
        if params.single(name)?.is_some() {
            return Err(OAuthError::new(code, format!("The {name} parameter is not supported.")));
        }
    }
    match params.single("response_type")? {
        Some("code") => {}
        Some(_) => {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
                "Only response_type=code (the authorization code flow) is supported.",
            ))
        }
        None => return Err(OAuthError::invalid_request("The response_type parameter is missing.")),
    }
    if !matches!(params.single("response_mode")?, None | Some("query")) {
        return Err(OAuthError::invalid_request("Only response_mode=query is supported."));
    }
    let scopes = Scopes::parse(params.single("scope")?.unwrap_or("")).map_err(|e| {
        let code = match e {
            ScopeError::MissingOpenId | ScopeError::Unknown(_) => ErrorCode::InvalidScope,
        };
        OAuthError::new(code, format!("Invalid scope: {e}."))
    })?;
    let code_challenge = match (params.single("code_challenge")?, params.single("code_challenge_method")?) {
        (None, None) if registration.public => {
            return Err(OAuthError::invalid_request("Public clients must use PKCE (code_challenge with S256)."))
        }
        (None, None) => None,
        (None, Some(_)) => return Err(OAuthError::invalid_request("code_challenge_method without a code_challenge.")),
        (Some(_), None | Some("plain")) => {
            return Err(OAuthError::invalid_request("PKCE with plain is refused: use code_challenge_method=S256."))
        }
        (Some(challenge), Some("S256")) if pkce::challenge_is_well_formed(challenge) => Some(challenge.to_string()),
        (Some(_), Some("S256")) => {
            return Err(OAuthError::invalid_request("code_challenge is not the base64url of a SHA-256 hash."))
        }
        (Some(_), Some(_)) => return Err(OAuthError::invalid_request("Unknown code_challenge_method: use S256.")),
    };
    let nonce = params.single("nonce")?.map(str::to_string);
    if nonce.as_ref().is_some_and(|n| n.len() > MAX_NONCE) || state.is_some_and(|s| s.len() > MAX_STATE) {
        return Err(OAuthError::invalid_request("The state or nonce is too long."));
    }
    let max_age = match params.single("max_age")? {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .filter(|age| (0..=10 * 365 * 86_400).contains(age))
                .ok_or_else(|| OAuthError::invalid_request("max_age must be a number of seconds."))?,
        ),
    };
    let prompt = Prompt::parse(params.single("prompt")?)?;
    let acr_values = super::acr::requested(params.single("acr_values")?, params.single("claims")?)?;
    Ok(AuthRequest {
        redirect_uri: String::new(),
        scopes,
        state: None,
        nonce,
        code_challenge,
        prompt,
        max_age,
        acr_values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    fn good() -> Vec<(&'static str, &'static str)> {
        vec![
            ("client_id", "pcl_1"),
            ("redirect_uri", "https://app.test/cb"),
            ("response_type", "code"),
            ("scope", "openid email"),
            ("state", "s1"),
            ("nonce", "n1"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]
    }

    fn check(pairs: &[(&str, &str)], public: bool) -> Result<AuthRequest, Refused> {
        let uris = vec!["https://app.test/cb".to_string()];
        validate(&params(pairs), Registration { redirect_uris: &uris, public })
    }

    fn with(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut p: Vec<_> = good().into_iter().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k)).collect();
        p.extend(changes.iter().filter(|(_, v)| !v.is_empty()));
        p
    }

    fn redirected_error(result: Result<AuthRequest, Refused>) -> (ErrorCode, Option<String>) {
        match result {
            Err(Refused::Redirect { error, state, redirect_uri }) => {
                assert_eq!(redirect_uri, "https://app.test/cb");
                (error.code, state)
            }
            other => panic!("expected a redirected error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_request_is_accepted() {
        let r = check(&good(), true).unwrap();
        assert_eq!(r.redirect_uri, "https://app.test/cb");
        assert_eq!(r.scopes.to_string(), "openid email");
        assert_eq!((r.state.as_deref(), r.nonce.as_deref()), (Some("s1"), Some("n1")));
        assert_eq!(r.code_challenge.as_deref(), Some(CHALLENGE));
        assert_eq!(r.prompt, Prompt::default());
    }

    #[test]
    fn unknown_or_missing_redirect_uris_get_a_page_never_a_redirect() {
        assert!(matches!(check(&with(&[("redirect_uri", "https://evil.test/cb")]), true), Err(Refused::Page(_))));
        assert!(matches!(check(&with(&[("redirect_uri", "")]), true), Err(Refused::Page(_))));
        let mut twice = good();
        twice.push(("redirect_uri", "https://app.test/cb"));
        assert!(matches!(check(&twice, true), Err(Refused::Page(_))));
        assert!(matches!(client_id(&params(&[("scope", "openid")])), Err(Refused::Page(_))));
    }

    #[test]
    fn malformed_requests_get_the_error_the_spec_names_with_their_state() {
        let cases: [(&[(&str, &str)], ErrorCode); 9] = [
            (&[("response_type", "token")], ErrorCode::UnsupportedResponseType),
            (&[("response_type", "")], ErrorCode::InvalidRequest),
            (&[("scope", "email")], ErrorCode::InvalidScope),
            (&[("scope", "openid superuser")], ErrorCode::InvalidScope),
            (&[("code_challenge_method", "plain")], ErrorCode::InvalidRequest),
            (&[("code_challenge_method", "")], ErrorCode::InvalidRequest),
            (&[("prompt", "none login")], ErrorCode::InvalidRequest),
            (&[("max_age", "-1")], ErrorCode::InvalidRequest),
            (&[("request", "eyJ...")], ErrorCode::RequestNotSupported),
        ];
        for (changes, code) in cases {
            assert_eq!(redirected_error(check(&with(changes), false)), (code, Some("s1".into())), "{changes:?}");
        }
        let mut twice = good();
        twice.push(("state", "s2"));
        assert_eq!(redirected_error(check(&twice, false)), (ErrorCode::InvalidRequest, None));
    }

    #[test]
    fn pkce_is_required_of_public_clients_and_optional_for_confidential_ones() {
        let without = with(&[("code_challenge", ""), ("code_challenge_method", "")]);
        assert_eq!(redirected_error(check(&without, true)).0, ErrorCode::InvalidRequest);
        assert_eq!(check(&without, false).unwrap().code_challenge, None);
        let bad = with(&[("code_challenge", "too-short")]);
        assert_eq!(redirected_error(check(&bad, false)).0, ErrorCode::InvalidRequest);
    }

    #[test]
    fn prompt_and_max_age_are_read() {
        let r = check(&with(&[("prompt", "login consent"), ("max_age", "300")]), true).unwrap();
        assert_eq!((r.prompt.login, r.prompt.consent, r.prompt.none, r.max_age), (true, true, false, Some(300)));
        assert_eq!(r.prompt.as_string(), "login consent");
        assert!(check(&with(&[("prompt", "none")]), true).unwrap().prompt.none);
        assert!(check(&with(&[("prompt", "select_account")]), true).is_ok());
    }
}
