//! What the person running the server decides for everyone: who may sign up
//! (`--sign-up`, `--sign-up-domains`) and who may create organizations
//! (`--org-creation`).

use super::Refusal;

/// Who may make an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignUpMode {
    /// Anyone who reaches the server (within `SignUpRules::domains`).
    #[default]
    Open,
    /// Only an address an organization has a pending invitation for.
    InviteOnly,
    /// Nobody: the operator makes accounts (or an upstream provider does).
    Closed,
}

/// The operator's sign-up settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignUpRules {
    pub mode: SignUpMode,
    /// Lowercase domains the address must end in (exactly, or a subdomain of
    /// one); empty: any domain.
    pub domains: Vec<String>,
}

/// Who may create organizations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrgCreation {
    #[default]
    Anyone,
    /// Only accounts named by `portcullis operators add`.
    Operators,
}

/// Whether an address may sign up; `invited`: an organization has a pending
/// invitation for it. The domain rule holds for invited addresses too: an
/// operator who limits domains means every account.
pub fn may_sign_up(rules: &SignUpRules, email: &str, invited: bool) -> Result<(), Refusal> {
    match rules.mode {
        SignUpMode::Closed => return Err(Refusal::SignUpClosed { invite_only: false }),
        SignUpMode::InviteOnly if !invited => return Err(Refusal::SignUpClosed { invite_only: true }),
        _ => {}
    }
    if rules.domains.is_empty() {
        return Ok(());
    }
    let domain = email.rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()).unwrap_or_default();
    let allowed = rules.domains.iter().any(|d| domain == *d || domain.ends_with(&format!(".{d}")));
    if allowed {
        Ok(())
    } else {
        Err(Refusal::SignUpDomain)
    }
}

/// Whether this account may create an organization.
pub fn may_create_org(rule: OrgCreation, is_operator: bool) -> Result<(), Refusal> {
    match rule {
        OrgCreation::Operators if !is_operator => Err(Refusal::OrgCreationOperatorsOnly),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(mode: SignUpMode, domains: &[&str]) -> SignUpRules {
        SignUpRules { mode, domains: domains.iter().map(|d| d.to_string()).collect() }
    }

    #[test]
    fn anyone_signs_up_on_an_open_server_without_domains() {
        assert_eq!(may_sign_up(&rules(SignUpMode::Open, &[]), "ann@anywhere.org", false), Ok(()));
    }

    #[test]
    fn nobody_signs_up_on_a_closed_server_not_even_with_an_invitation() {
        let closed = rules(SignUpMode::Closed, &[]);
        assert_eq!(may_sign_up(&closed, "ann@example.com", true), Err(Refusal::SignUpClosed { invite_only: false }));
    }

    #[test]
    fn an_invite_only_server_takes_invited_addresses_only() {
        let invite_only = rules(SignUpMode::InviteOnly, &[]);
        assert_eq!(may_sign_up(&invite_only, "ann@example.com", true), Ok(()));
        assert_eq!(
            may_sign_up(&invite_only, "ann@example.com", false),
            Err(Refusal::SignUpClosed { invite_only: true })
        );
    }

    #[test]
    fn a_domain_list_takes_its_domains_and_their_subdomains_only() {
        let acme = rules(SignUpMode::Open, &["acme.com"]);
        assert_eq!(may_sign_up(&acme, "ann@acme.com", false), Ok(()));
        assert_eq!(may_sign_up(&acme, "ann@EU.Acme.com", false), Ok(()));
        assert_eq!(may_sign_up(&acme, "ann@notacme.com", false), Err(Refusal::SignUpDomain));
        assert_eq!(may_sign_up(&acme, "ann@acme.com.evil.org", false), Err(Refusal::SignUpDomain));
    }

    #[test]
    fn an_invitation_does_not_lift_the_domain_list() {
        let acme = rules(SignUpMode::InviteOnly, &["acme.com"]);
        assert_eq!(may_sign_up(&acme, "contractor@gmail.com", true), Err(Refusal::SignUpDomain));
    }

    #[test]
    fn only_operators_create_organizations_when_the_server_says_so() {
        assert_eq!(may_create_org(OrgCreation::Anyone, false), Ok(()));
        assert_eq!(may_create_org(OrgCreation::Operators, true), Ok(()));
        assert_eq!(may_create_org(OrgCreation::Operators, false), Err(Refusal::OrgCreationOperatorsOnly));
    }
}
