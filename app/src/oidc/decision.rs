//! What happens to a stored authorization request when its user comes by:
//! log in (again), a page (consent, not a member, set up 2FA), or a code.
//! With `prompt=none` every page becomes the error OIDC Core §3.1.2.6 names.

use super::authorize::Prompt;
use super::error::ErrorCode;

/// The signed-in session, as far as the decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// When the password was last given (`auth_time`).
    pub authenticated_at: i64,
    pub second_factor_used: bool,
    /// The password was given after the request arrived (a new login, not the session it came with).
    pub logged_in_since_request: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub prompt: Prompt,
    pub max_age: Option<i64>,
    /// When the request arrived (a consent given since counts for prompt=consent).
    pub request_created_at: i64,
    pub now: i64,
    pub session: Option<Session>,
    /// A member of the application's organization.
    pub member: bool,
    /// Any second factor (what an application's own requirement asks for).
    pub has_two_factor: bool,
    /// The organization requires 2FA, the grace period is over, and the member
    /// has no second factor of a kind it allows: its pages refuse them too.
    pub org_refuses_member: bool,
    /// The organization requires verified addresses and the member's is not.
    pub org_wants_verified_email: bool,
    /// "Require two-factor authentication for this application".
    pub app_requires_two_factor: bool,
    /// The remembered "Allow": whether it covers the scopes, and when it was given.
    pub consent: Option<(bool, i64)>,
    /// The application asked for a stronger sign-in than the session's, and the account can give it.
    pub step_up: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Log in, or again (prompt=login, max_age, or the application wants the second factor used).
    Login,
    NotMember,
    /// Set up 2FA first (the organization or the application requires it).
    EnrollTwoFactor,
    /// Verify the account's address first (the organization requires it).
    VerifyEmail,
    Consent,
    /// Issue the code.
    Issue,
    /// prompt=none and something needs the user: this error goes back to the client.
    Refuse(ErrorCode),
}

pub fn decide(f: &Facts) -> Decision {
    let ask = |d: Decision| match (f.prompt.none, d) {
        (false, d) => d,
        (true, Decision::Login) => Decision::Refuse(ErrorCode::LoginRequired),
        (true, Decision::NotMember) => Decision::Refuse(ErrorCode::AccessDenied),
        (true, Decision::EnrollTwoFactor | Decision::VerifyEmail) => Decision::Refuse(ErrorCode::InteractionRequired),
        (true, Decision::Consent) => Decision::Refuse(ErrorCode::ConsentRequired),
        (true, d) => d,
    };
    let Some(session) = f.session else { return ask(Decision::Login) };
    // A login after the request was made satisfies prompt=login and any max_age.
    let fresh = session.logged_in_since_request;
    let too_old = f.max_age.is_some_and(|age| f.now - session.authenticated_at > age);
    if !fresh && (f.prompt.login || too_old) {
        return ask(Decision::Login);
    }
    if !f.member {
        return ask(Decision::NotMember);
    }
    if f.org_wants_verified_email {
        return ask(Decision::VerifyEmail);
    }
    if f.org_refuses_member || (f.app_requires_two_factor && !f.has_two_factor) {
        return ask(Decision::EnrollTwoFactor);
    }
    if f.app_requires_two_factor && !session.second_factor_used {
        return ask(Decision::Login);
    }
    // Once: a login since the request that still falls short signs in as it is (`acr` says so).
    if f.step_up && !fresh {
        return ask(Decision::Login);
    }
    let consented = match f.consent {
        Some((covers, granted_at)) => covers && (!f.prompt.consent || granted_at >= f.request_created_at),
        None => false,
    };
    if !consented {
        return ask(Decision::Consent);
    }
    Decision::Issue
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            prompt: Prompt::default(),
            max_age: None,
            request_created_at: 1_000,
            now: 1_010,
            session: Some(Session { authenticated_at: 500, second_factor_used: true, logged_in_since_request: false }),
            member: true,
            has_two_factor: true,
            org_refuses_member: false,
            org_wants_verified_email: false,
            app_requires_two_factor: false,
            consent: Some((true, 100)),
            step_up: false,
        }
    }

    #[test]
    fn an_application_asking_for_a_stronger_sign_in_sends_the_user_to_log_in_once() {
        let f = Facts { step_up: true, ..facts() };
        assert_eq!(decide(&f), Decision::Login);
        assert_eq!(decide(&Facts { prompt: none(), ..f }), Decision::Refuse(ErrorCode::LoginRequired));
        let after_login = Session { logged_in_since_request: true, ..f.session.unwrap() };
        assert_eq!(decide(&Facts { session: Some(after_login), ..f }), Decision::Issue, "no loop");
    }

    fn none() -> Prompt {
        Prompt { none: true, ..Prompt::default() }
    }

    #[test]
    fn a_signed_in_member_who_allowed_before_gets_a_code() {
        assert_eq!(decide(&facts()), Decision::Issue);
    }

    #[test]
    fn a_signed_out_user_logs_in_unless_prompt_is_none() {
        let f = Facts { session: None, ..facts() };
        assert_eq!(decide(&f), Decision::Login);
        assert_eq!(decide(&Facts { prompt: none(), ..f }), Decision::Refuse(ErrorCode::LoginRequired));
    }

    #[test]
    fn prompt_login_and_max_age_need_a_login_after_the_request() {
        let login = Facts { prompt: Prompt { login: true, ..Prompt::default() }, ..facts() };
        assert_eq!(decide(&login), Decision::Login);
        let relogged = Session { authenticated_at: 1_005, second_factor_used: true, logged_in_since_request: true };
        assert_eq!(decide(&Facts { session: Some(relogged), ..login }), Decision::Issue);
        let aged = Facts { max_age: Some(300), ..facts() };
        assert_eq!(decide(&aged), Decision::Login, "510 s since the password");
        assert_eq!(decide(&Facts { max_age: Some(600), ..facts() }), Decision::Issue);
        assert_eq!(decide(&Facts { max_age: Some(0), session: Some(relogged), ..facts() }), Decision::Issue, "no loop");
        assert_eq!(decide(&Facts { prompt: none(), ..aged }), Decision::Refuse(ErrorCode::LoginRequired));
    }

    #[test]
    fn non_members_are_refused() {
        let f = Facts { member: false, ..facts() };
        assert_eq!(decide(&f), Decision::NotMember);
        assert_eq!(decide(&Facts { prompt: none(), ..f }), Decision::Refuse(ErrorCode::AccessDenied));
    }

    #[test]
    fn two_factor_requirements_send_people_to_enroll_or_to_use_it() {
        let without = Facts { has_two_factor: false, ..facts() };
        assert_eq!(decide(&Facts { org_refuses_member: true, ..without }), Decision::EnrollTwoFactor);
        assert_eq!(
            decide(&Facts { org_refuses_member: true, ..facts() }),
            Decision::EnrollTwoFactor,
            "a factor the organization does not allow is no 2FA for it"
        );
        assert_eq!(
            decide(&Facts { org_refuses_member: true, prompt: none(), ..facts() }),
            Decision::Refuse(ErrorCode::InteractionRequired)
        );
        assert_eq!(decide(&Facts { app_requires_two_factor: true, ..without }), Decision::EnrollTwoFactor);
        assert_eq!(
            decide(&Facts { app_requires_two_factor: true, prompt: none(), ..without }),
            Decision::Refuse(ErrorCode::InteractionRequired)
        );
        let password_only =
            Session { authenticated_at: 500, second_factor_used: false, logged_in_since_request: false };
        assert_eq!(
            decide(&Facts { session: Some(password_only), ..facts() }),
            Decision::Issue,
            "the org asks for 2FA on the account only"
        );
        assert_eq!(
            decide(&Facts { session: Some(password_only), app_requires_two_factor: true, ..facts() }),
            Decision::Login,
            "the application wants the second factor used"
        );
    }

    #[test]
    fn consent_is_asked_once_per_scope_set_and_again_for_prompt_consent() {
        assert_eq!(decide(&Facts { consent: None, ..facts() }), Decision::Consent);
        assert_eq!(decide(&Facts { consent: Some((false, 100)), ..facts() }), Decision::Consent, "new scopes");
        let again = Facts { prompt: Prompt { consent: true, ..Prompt::default() }, ..facts() };
        assert_eq!(decide(&again), Decision::Consent);
        assert_eq!(decide(&Facts { consent: Some((true, 1_001)), ..again }), Decision::Issue);
        assert_eq!(
            decide(&Facts { consent: None, prompt: none(), ..facts() }),
            Decision::Refuse(ErrorCode::ConsentRequired)
        );
    }

    #[test]
    fn a_member_without_the_verified_address_the_organization_requires_is_sent_to_verify_it() {
        let f = Facts { org_wants_verified_email: true, ..facts() };
        assert_eq!(decide(&f), Decision::VerifyEmail);
        assert_eq!(decide(&Facts { prompt: none(), ..f }), Decision::Refuse(ErrorCode::InteractionRequired));
    }
}
