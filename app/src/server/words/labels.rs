//! The words people read in the Security and Audit logs, for the kinds of
//! events the server records. Server-only: the browser receives the words.

/// What an event kind means, for people.
pub fn event_label(kind: &str) -> &'static str {
    match kind {
        "logged_in" => "Logged in",
        "login_failed" => "Failed login (wrong password)",
        "two_factor_enabled" => "Two-factor authentication enabled",
        "two_factor_disabled" => "Two-factor authentication disabled",
        "backup_codes_revealed" => "Backup codes revealed",
        "backup_codes_regenerated" => "Backup codes regenerated",
        "recovery_code_used" => "Backup code used",
        "failed_code" => "Wrong two-factor code",
        "lockout" => "Too many wrong codes: tries paused",
        "login_lockout" => "Too many wrong passwords: logins paused",
        "two_factor_reset_by_admin" => "Two-factor authentication reset by an admin",
        "org_created" => "Organization created",
        "two_factor_required" => "Two-factor authentication required",
        "two_factor_not_required" => "Two-factor authentication no longer required",
        // Rows written before membership needed an invitation.
        "member_added" => "Member added",
        "member_invited" => "Member invited",
        "invitation_accepted" => "Invitation accepted",
        "invitation_declined" => "Invitation declined",
        "invitation_cancelled" => "Invitation cancelled",
        "invitation_voided" => "Invitation voided (too many wrong codes)",
        "member_left" => "Member left",
        "member_removed" => "Member removed",
        "role_changed" => "Role changed",
        "member_two_factor_reset" => "Member's two-factor authentication reset",
        "application_allowed" => "Allowed an application to sign you in",
        "application_revoked" => "Revoked an application's access",
        "application_token_reused" => "An application's sign-in was revoked: a code or token was used twice",
        "application_registered" => "Application registered",
        "application_updated" => "Application edited",
        "application_secret_regenerated" => "Application secret regenerated",
        "application_disabled" => "Application disabled",
        "application_enabled" => "Application enabled",
        "application_deleted" => "Application deleted",
        "api_token_created" => "Personal access token created",
        "api_token_revoked" => "Personal access token revoked",
        "app_password_created" => "Application password created",
        "app_password_revoked" => "Application password revoked",
        "api_auth_failed" => "Refused API sign-in (revoked, expired or not allowed)",
        "api_access_allowed" => "Personal access tokens and application passwords allowed",
        "api_access_disallowed" => "Personal access tokens and application passwords not allowed",
        "remembered_browsers_allowed" => "Remembered browsers allowed",
        "remembered_browsers_forbidden" => "Remembered browsers forbidden",
        "verified_emails_required" => "Verified email addresses required",
        "verified_emails_not_required" => "Verified email addresses no longer required",
        "upstream_mfa_required" => "Several factors required from identity providers",
        "upstream_mfa_not_required" => "Several factors no longer required from identity providers",
        "security_key_added" => "Security key added",
        "security_key_renamed" => "Security key renamed",
        "security_key_removed" => "Security key removed",
        "security_key_used" => "Signed in with a security key",
        "security_key_confirmed" => "Confirmed with a security key",
        "security_key_failed" => "Security key refused",
        "security_key_clone_warning" => "Security key refused: its counter went backwards (it may have been copied)",
        "email_verified" => "Email address verified",
        "email_changed" => "Email address changed",
        "password_changed" => "Password changed",
        "password_reset_requested" => "Password reset link sent",
        "password_reset" => "Password reset with an emailed link",
        "session_ended" => "Signed out of another browser",
        "other_sessions_ended" => "Signed out everywhere else",
        "browser_forgotten" => "Forgot a remembered browser",
        "upstream_sign_in" => "Signed in through another identity provider",
        "provider_connected" => "Identity provider connected",
        "provider_disconnected" => "Identity provider disconnected",
        "password_removed" => "Password removed",
        "sms_code_sent" => "Sign-in code texted",
        "sms_limit_reached" => "Text message refused: too many sent",
        "sms_number_set" => "Phone number for text messages set",
        "sms_number_removed" => "Phone number for text messages removed",
        "operator_action" => "Changed by the server's operator",
        "allowed_factors_changed" => "Allowed second factors changed",
        _ => "Other event",
    }
}

/// How a session signed in, for "Where you're signed in".
pub fn proof_label(proof: crate::factors::Proof) -> &'static str {
    use crate::factors::Proof;
    match proof {
        Proof::Password => "Password",
        Proof::PasswordAndTotp => "Password and authenticator app",
        Proof::PasswordAndSms => "Password and text message",
        Proof::PasswordOnRememberedBrowser => "Password, on a remembered browser",
        Proof::PasswordAndBackupCode => "Password and backup code",
        Proof::PasswordAndKey => "Password and security key",
        Proof::Passkey => "Passkey",
        Proof::Upstream => "Another identity provider",
        Proof::UpstreamMfa => "Another identity provider, with several factors",
    }
}

/// "Chrome on Linux" from a User-Agent header.
pub fn browser_label(user_agent: &str) -> String {
    let browser =
        [("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"), ("curl/", "curl")]
            .iter()
            .find(|(needle, _)| user_agent.contains(needle))
            .map(|(_, name)| *name);
    let os = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(needle, _)| user_agent.contains(needle))
    .map(|(_, name)| *name);
    match (browser, os) {
        (Some(b), Some(o)) => format!("{b} on {o}"),
        (Some(b), None) => b.to_string(),
        _ => user_agent.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::events::{AuditEvent, SecurityEvent};

    #[test]
    fn browsers_are_named_briefly() {
        let chrome =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
        assert_eq!(browser_label(chrome), "Chrome on Linux");
        assert_eq!(
            browser_label("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"),
            "Safari on iOS"
        );
        assert_eq!(browser_label("curl/8.0"), "curl");
    }

    #[test]
    fn every_event_kind_has_words() {
        for kind in SecurityEvent::ALL.iter().map(|e| e.as_str()).chain(AuditEvent::ALL.iter().map(|e| e.as_str())) {
            assert_ne!(event_label(kind), "Other event", "{kind}");
        }
    }
}
