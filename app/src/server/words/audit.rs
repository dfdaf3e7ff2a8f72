//! The Audit log's details, worded from each row's kind and parameters.

use crate::factors::Kind;
use crate::server::words::audit_detail::Detail;

/// The detail of an audit row of `kind`; text stored before details had parameters, as it is.
pub fn detail(kind: &str, stored: &str) -> String {
    let Some(d) = Detail::parse(stored) else { return stored.to_string() };
    let mut text = match kind {
        "org_created" => format!("{} at /orgs/{}", d.text("name"), d.text("slug")),
        "member_invited" | "invitation_accepted" | "invitation_declined" | "invitation_cancelled" => {
            format!("{} as {}", d.text("email"), d.text("role"))
        }
        "invitation_voided" => format!(
            "{} as {}: {} wrong invitation codes",
            d.text("email"),
            d.text("role"),
            d.number("failures").unwrap_or_default()
        ),
        "member_left" => format!("{} ({})", d.text("email"), d.text("role")),
        "member_removed" => format!("user {}", d.number("user_id").unwrap_or_default()),
        "role_changed" => {
            format!("user {}: {} to {}", d.number("user_id").unwrap_or_default(), d.text("from"), d.text("to"))
        }
        "member_two_factor_reset" => {
            format!("user {}, through {}", d.number("user_id").unwrap_or_default(), d.text("through"))
        }
        "two_factor_required" => match (d.number("grace_days"), d.number("was")) {
            (Some(days), Some(was)) => format!("grace period: {days} days (was {was})"),
            (Some(days), None) => format!("grace period: {days} days"),
            _ => String::new(),
        },
        "allowed_factors_changed" => {
            d.list("kinds").into_iter().filter_map(Kind::named).map(factor_kind).collect::<Vec<_>>().join(", ")
        }
        "application_registered" | "application_updated" => {
            let kind = if d.flag("public") { "public" } else { "confidential" };
            let two_factor = if d.flag("requires_two_factor") { ", requires two-factor authentication" } else { "" };
            let alg = d.text("id_token_alg");
            let alg = if alg.is_empty() { String::new() } else { format!(", ID tokens {alg}") };
            let api = if d.flag("resource_server") { ", resource server" } else { "" };
            let logout = if d.flag("backchannel_logout") { ", back-channel logout" } else { "" };
            let service = if d.flag("service") { ", service" } else { "" };
            let refresh = d.number("refresh_token_secs").map(|s| format!(", refresh tokens last {}", life(s)));
            let admits = d.text("also_admits");
            let admits = if admits.is_empty() { String::new() } else { format!(", also admits members of {admits}") };
            format!(
                "{} ({}, {kind}{two_factor}{alg}{api}{logout}{service}{}{admits})",
                d.text("name"),
                d.text("client_id"),
                refresh.unwrap_or_default()
            )
        }
        "application_deleted" => format!("{} ({})", d.text("name"), d.text("client_id")),
        "application_secret_regenerated" | "application_disabled" | "application_enabled" => {
            d.text("client_id").to_string()
        }
        _ => String::new(),
    };
    let mut also = |said: &str| {
        text = if text.is_empty() { said.to_string() } else { format!("{text}; {said}") };
    };
    if d.flag("confirmed_by_owner") {
        also("confirmed by the owner with password and code");
    }
    if d.flag("by_operator") {
        also("by the operator (command line)");
    }
    text
}

/// A kind of second factor, as the audit log names it.
pub fn factor_kind(kind: Kind) -> &'static str {
    match kind {
        Kind::App => "authenticator app",
        Kind::SecurityKey => "security keys",
        Kind::Sms => "text messages (SMS)",
    }
}

/// A life in seconds, in the largest whole unit: "8 hours", "1 day".
fn life(secs: i64) -> String {
    let (n, unit) = match secs {
        s if s > 0 && s % 86_400 == 0 => (s / 86_400, "day"),
        s if s > 0 && s % 3600 == 0 => (s / 3600, "hour"),
        s => (s, "second"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_worded_from_their_parameters_and_old_text_stays_as_it_was() {
        let role = Detail::new().with("user_id", 7).with("from", "member").with("to", "admin");
        assert_eq!(detail("role_changed", &role.stored()), "user 7: member to admin");
        let required = Detail::new().with("grace_days", 7).with("was", 14).with("confirmed_by_owner", true);
        assert_eq!(
            detail("two_factor_required", &required.stored()),
            "grace period: 7 days (was 14); confirmed by the owner with password and code"
        );
        let off = Detail::new().with("confirmed_by_owner", true);
        assert_eq!(detail("two_factor_not_required", &off.stored()), "confirmed by the owner with password and code");
        let factors = Detail::new().with("kinds", vec!["authenticator_app", "security_keys"]);
        assert_eq!(detail("allowed_factors_changed", &factors.stored()), "authenticator app, security keys");
        let by_operator = Detail::new().with("client_id", "abc").with("by_operator", true);
        assert_eq!(detail("application_disabled", &by_operator.stored()), "abc; by the operator (command line)");
        assert_eq!(detail("member_removed", "user 3"), "user 3", "written before parameters");
        assert_eq!(detail("api_access_allowed", &Detail::new().stored()), "");
        let edited = Detail::new()
            .with("name", "Wiki")
            .with("client_id", "pcl_1")
            .with("refresh_token_secs", 8 * 3600)
            .with("also_admits", "Beta, Gamma");
        assert_eq!(
            detail("application_updated", &edited.stored()),
            "Wiki (pcl_1, confidential, refresh tokens last 8 hours, also admits members of Beta, Gamma)"
        );
        assert_eq!((life(86_400), life(7 * 86_400), life(90)), ("1 day".into(), "7 days".into(), "90 seconds".into()));
    }
}
