//! Scopes: `openid` (required), `profile` (name, preferred_username),
//! `email`, `orgs` (the user's organizations and roles, as objects),
//! `groups` (the same as strings, the shape oauth2-proxy, Gitea and Grafana
//! read) and `offline_access` (accepted; refresh tokens are issued with every
//! code). Anything else is `invalid_scope`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    OpenId,
    Profile,
    Email,
    Orgs,
    Groups,
    OfflineAccess,
}

impl Scope {
    pub const ALL: [Scope; 6] =
        [Scope::OpenId, Scope::Profile, Scope::Email, Scope::Orgs, Scope::Groups, Scope::OfflineAccess];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::OpenId => "openid",
            Scope::Profile => "profile",
            Scope::Email => "email",
            Scope::Orgs => "orgs",
            Scope::Groups => "groups",
            Scope::OfflineAccess => "offline_access",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A set of scopes, always containing `openid`, in a canonical order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scopes(Vec<Scope>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeError {
    MissingOpenId,
    Unknown(String),
}

impl fmt::Display for ScopeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingOpenId => f.write_str("the scope must include openid"),
            Self::Unknown(name) => {
                let name: String = name.chars().take(40).collect();
                write!(f, "unknown scope \"{name}\" (supported: openid profile email orgs groups offline_access)")
            }
        }
    }
}

impl Scopes {
    /// Space-separated, as in the `scope` parameter; repeats are harmless.
    pub fn parse(raw: &str) -> Result<Self, ScopeError> {
        let mut scopes = Vec::new();
        for name in raw.split(' ').filter(|s| !s.is_empty()) {
            scopes.push(Scope::parse(name).ok_or_else(|| ScopeError::Unknown(name.to_string()))?);
        }
        scopes.sort();
        scopes.dedup();
        if !scopes.contains(&Scope::OpenId) {
            return Err(ScopeError::MissingOpenId);
        }
        Ok(Self(scopes))
    }

    pub fn contains(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    /// Every scope of `other` is in `self` (a consent covers a request).
    pub fn covers(&self, other: &Scopes) -> bool {
        other.0.iter().all(|s| self.0.contains(s))
    }

    pub fn union(&self, other: &Scopes) -> Scopes {
        let mut all: Vec<Scope> = self.0.iter().chain(other.0.iter()).copied().collect();
        all.sort();
        all.dedup();
        Scopes(all)
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|s| s.as_str()).collect();
        f.write_str(&names.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_into_a_canonical_set() {
        let s = Scopes::parse("email  openid profile email").unwrap();
        assert_eq!(s.to_string(), "openid profile email");
        assert!(s.contains(Scope::Email) && !s.contains(Scope::Orgs));
    }

    #[test]
    fn openid_is_required_and_unknown_scopes_are_refused() {
        assert_eq!(Scopes::parse("profile email"), Err(ScopeError::MissingOpenId));
        assert_eq!(Scopes::parse(""), Err(ScopeError::MissingOpenId));
        assert_eq!(Scopes::parse("openid admin"), Err(ScopeError::Unknown("admin".into())));
        assert_eq!(Scopes::parse("openid OpenID"), Err(ScopeError::Unknown("OpenID".into())), "case matters");
    }

    #[test]
    fn a_consent_covers_what_it_includes() {
        let granted = Scopes::parse("openid profile email").unwrap();
        assert!(granted.covers(&Scopes::parse("openid email").unwrap()));
        assert!(!granted.covers(&Scopes::parse("openid orgs").unwrap()));
        assert_eq!(granted.union(&Scopes::parse("openid orgs").unwrap()).to_string(), "openid profile email orgs");
    }
}
