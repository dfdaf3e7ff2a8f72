//! Redirect URIs: what may be registered, exact matching (no wildcards, no
//! prefix or normalisation tricks) and appending the response parameters.

use url::Url;

const MAX_LEN: usize = 2000;

/// A redirect URI an application may register: absolute, https (or http on
/// the loopback interface, for development and native apps), no fragment,
/// no user info. Returns the URI as given, which is what requests must match.
pub fn validate_registration(uri: &str) -> Result<String, String> {
    let uri = uri.trim();
    if uri.is_empty() || uri.len() > MAX_LEN {
        return Err(format!("A redirect URI has 1 to {MAX_LEN} characters."));
    }
    // Compared byte for byte and sent back in a Location header: printable ASCII only (percent-encode the rest).
    if !uri.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(format!("\"{uri}\" contains spaces or characters outside ASCII: percent-encode them."));
    }
    let url = Url::parse(uri)
        .map_err(|_| format!("\"{uri}\" is not an absolute URL, like https://app.example.com/callback."))?;
    if url.fragment().is_some() || uri.contains('#') {
        return Err(format!("\"{uri}\" has a fragment (#…): redirect URIs may not."));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("\"{uri}\" contains a user name or password."));
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(uri.to_string()),
        "http" if is_loopback(&url) => Ok(uri.to_string()),
        "http" => Err(format!("\"{uri}\" uses http: only https is allowed, except on 127.0.0.1, [::1] or localhost.")),
        _ => Err(format!("\"{uri}\" must start with https://.")),
    }
}

/// A back-channel logout URI: Portcullis itself POSTs there, so besides the
/// redirect URI rules it may name this machine's loopback only when
/// Portcullis runs there too (`issuer`: the public URL, if set); otherwise
/// an organization's manager could aim the server at its own local services.
pub fn validate_backchannel(uri: &str, issuer: Option<&str>) -> Result<String, String> {
    let uri = validate_registration(uri)?;
    let here = |u: &str| Url::parse(u).is_ok_and(|u| is_loopback(&u));
    if here(&uri) && !issuer.is_some_and(here) {
        return Err(format!(
            "\"{uri}\" is on the loopback: Portcullis posts logout tokens from its own machine, so only to an address another machine would reach."
        ));
    }
    Ok(uri)
}

pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Exact, case-sensitive string comparison with a registered URI.
pub fn is_registered(registered: &[String], given: &str) -> bool {
    registered.iter().any(|r| r == given)
}

/// `base` with the parameters added to its query (a registered URI may carry one).
pub fn with_params(base: &str, params: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        query.append_pair(k, v);
    }
    let query = query.finish();
    let separator = match base.contains('?') {
        _ if query.is_empty() => "",
        false => "?",
        true if base.ends_with('?') || base.ends_with('&') => "",
        true => "&",
    };
    format!("{base}{separator}{query}")
}

/// "https://app.example.com" (with a port when it is not the default).
pub fn origin(uri: &str) -> Option<String> {
    let url = Url::parse(uri).ok()?;
    match url.origin() {
        url::Origin::Tuple(..) => Some(url.origin().ascii_serialization()),
        url::Origin::Opaque(_) => None,
    }
}

pub use crate::applications::local_path;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_back_channel_uri_on_the_loopback_is_for_a_portcullis_on_the_loopback_only() {
        let local = "http://127.0.0.1:8080/logout";
        assert!(validate_backchannel(local, Some("http://127.0.0.1:3000")).is_ok());
        assert!(validate_backchannel(local, Some("https://id.example.com")).is_err());
        assert!(validate_backchannel("https://localhost/logout", Some("https://id.example.com")).is_err());
        assert!(validate_backchannel(local, None).is_err());
        assert!(validate_backchannel("https://wiki.example.com/logout", Some("https://id.example.com")).is_ok());
        assert!(validate_backchannel("ftp://wiki.example.com/", Some("http://127.0.0.1:3000")).is_err());
    }

    #[test]
    fn registrations_are_https_or_loopback_http_without_fragments() {
        assert!(validate_registration("https://wiki.example.com/callback").is_ok());
        assert!(validate_registration("http://127.0.0.1:8080/cb").is_ok());
        assert!(validate_registration("http://localhost/cb").is_ok());
        assert!(validate_registration("http://[::1]:9/cb").is_ok());
        assert!(validate_registration("http://wiki.example.com/cb").is_err());
        assert!(validate_registration("https://wiki.example.com/cb#x").is_err());
        assert!(validate_registration("https://user:pw@wiki.example.com/cb").is_err());
        assert!(validate_registration("javascript:alert(1)").is_err());
        assert!(validate_registration("/relative").is_err());
        assert!(validate_registration("").is_err());
        assert!(validate_registration("https://a.test/a b").is_err());
        assert!(validate_registration("https://a.test/é").is_err());
    }

    #[test]
    fn matching_is_exact() {
        let registered = vec!["https://app.example.com/cb".to_string()];
        assert!(is_registered(&registered, "https://app.example.com/cb"));
        for near in [
            "https://app.example.com/cb/",
            "https://app.example.com/cb?x=1",
            "https://APP.example.com/cb",
            "https://app.example.com:443/cb",
            "https://app.example.com/c",
            "https://app.example.com/cb/../cb",
            "https://app.example.com.evil.test/cb",
        ] {
            assert!(!is_registered(&registered, near), "{near}");
        }
    }

    #[test]
    fn parameters_are_appended_encoded() {
        assert_eq!(
            with_params("https://a.test/cb", &[("code", "x y"), ("state", "&=")]),
            "https://a.test/cb?code=x+y&state=%26%3D"
        );
        assert_eq!(with_params("https://a.test/cb?app=1", &[("code", "c")]), "https://a.test/cb?app=1&code=c");
        assert_eq!(with_params("https://a.test/cb?", &[("code", "c")]), "https://a.test/cb?code=c");
        assert_eq!(with_params("https://a.test/cb", &[]), "https://a.test/cb");
    }

    #[test]
    fn origins_and_local_paths() {
        assert_eq!(origin("https://a.test:8443/cb?x").as_deref(), Some("https://a.test:8443"));
        assert_eq!(origin("http://127.0.0.1:80/cb").as_deref(), Some("http://127.0.0.1"));
        assert_eq!(local_path("/oidc/authorize/continue?request=x"), Some("/oidc/authorize/continue?request=x"));
        for bad in ["//evil.test/x", "https://evil.test", "/\\evil.test", "evil", "/a\nb", ""] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
