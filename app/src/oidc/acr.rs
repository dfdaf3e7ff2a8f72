//! Step-up: an application asks for a level of sign-in (`acr_values`, or
//! an essential `acr` in the `claims` parameter) and the user is asked for
//! the factor when the session is weaker. The ladder, weakest first:
//!
//! 1. `pwd`, `pwd+remembered`, `upstream`: one factor now;
//! 2. `pwd+sms`: a texted code (NIST's "restricted" authenticator);
//! 3. `pwd+totp`, `pwd+backup_code`, `upstream+mfa`: a one-time password;
//! 4. `pwd+hwk`, `passkey`: a hardware key, phishing-resistant.
//!
//! A requested value is met by its level or a higher one (the ID token's
//! `acr` says which was used). Of several values, the weakest is enough.
//! Unknown values are ignored (they are voluntary, OIDC Core §3.1.2.1).

use serde_json::Value;

use super::claims::acr;
use super::error::OAuthError;
use crate::factors::{Held, Kind, Proof};

/// Where a way of signing in stands on the ladder.
pub fn level(proof: Proof) -> u8 {
    match proof {
        Proof::Password | Proof::PasswordOnRememberedBrowser | Proof::Upstream => 1,
        Proof::PasswordAndSms => 2,
        Proof::PasswordAndTotp | Proof::PasswordAndBackupCode | Proof::UpstreamMfa => 3,
        Proof::PasswordAndKey | Proof::Passkey => 4,
    }
}

/// The level of an `acr` value we issue; `None` for anyone else's.
fn level_of(value: &str) -> Option<u8> {
    Proof::ALL.into_iter().find(|p| acr(*p) == value).map(level)
}

/// The highest level the account can reach with what it holds.
pub fn reachable(held: Held) -> u8 {
    if held.has(Kind::SecurityKey) {
        4
    } else if held.has(Kind::App) {
        3
    } else if held.has(Kind::Sms) {
        2
    } else {
        1
    }
}

/// The values an authorization request asks for: `acr_values` (space
/// separated) and `claims`' `id_token.acr` (`value` or `values`), ours only.
pub fn requested(acr_values: Option<&str>, claims: Option<&str>) -> Result<Vec<String>, OAuthError> {
    let mut wanted: Vec<String> = acr_values.unwrap_or_default().split(' ').map(str::to_string).collect();
    if let Some(claims) = claims {
        let claims: Value = serde_json::from_str(claims)
            .map_err(|_| OAuthError::invalid_request("The claims parameter is not a JSON object."))?;
        if !claims.is_object() {
            return Err(OAuthError::invalid_request("The claims parameter is not a JSON object."));
        }
        let asked = &claims["id_token"]["acr"];
        if let Some(value) = asked["value"].as_str() {
            wanted.push(value.to_string());
        }
        wanted.extend(asked["values"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string));
    }
    let mut known: Vec<String> = Vec::new();
    for value in wanted {
        if level_of(&value).is_some() && !known.contains(&value) {
            known.push(value);
        }
    }
    Ok(known)
}

/// The level the request needs (the weakest of its values); `None`: any.
pub fn wanted(requested: &[String]) -> Option<u8> {
    requested.iter().filter_map(|v| level_of(v)).min()
}

/// The session is weaker than asked and the account could do better: ask
/// for the factor (a new login). An account that cannot reach the level
/// signs in as it can, and its `acr` tells the application so.
pub fn needs_step_up(requested: &[String], session: Proof, held: Held) -> bool {
    let Some(wanted) = wanted(requested) else { return false };
    level(session) < wanted && reachable(held) > level(session)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::factors::Kinds;
    use crate::oidc::claims::{ACR_KEY, ACR_PASSKEY, ACR_PASSWORD, ACR_SMS, ACR_TOTP};

    fn holding(kinds: &[Kind]) -> Held {
        Held { kinds: Kinds::of(kinds.iter().copied()), ..Held::default() }
    }

    #[test]
    fn the_ladder_puts_keys_above_codes_above_texts_above_a_password() {
        assert!(level(Proof::Passkey) > level(Proof::PasswordAndTotp));
        assert!(level(Proof::PasswordAndTotp) > level(Proof::PasswordAndSms));
        assert!(level(Proof::PasswordAndSms) > level(Proof::Password));
        assert_eq!(level(Proof::PasswordOnRememberedBrowser), level(Proof::Password), "no code now");
        assert_eq!(level(Proof::PasswordAndKey), level(Proof::Passkey));
    }

    #[test]
    fn a_password_session_asked_for_totp_steps_up_when_the_account_has_an_app() {
        let asked = requested(Some(ACR_TOTP), None).unwrap();
        assert!(needs_step_up(&asked, Proof::Password, holding(&[Kind::App])));
        assert!(needs_step_up(&asked, Proof::PasswordOnRememberedBrowser, holding(&[Kind::App])));
        assert!(!needs_step_up(&asked, Proof::PasswordAndTotp, holding(&[Kind::App])));
        assert!(!needs_step_up(&asked, Proof::PasswordAndKey, holding(&[Kind::SecurityKey])), "higher is enough");
        assert!(!needs_step_up(&asked, Proof::Password, holding(&[])), "nothing to ask for");
        // Texts reach level 2 only, but that is still better than the password alone.
        assert!(needs_step_up(&asked, Proof::Password, holding(&[Kind::Sms])));
        assert!(!needs_step_up(&asked, Proof::PasswordAndSms, holding(&[Kind::Sms])), "as high as it can go");
    }

    #[test]
    fn a_passkey_request_asks_a_code_session_for_the_key() {
        let asked = requested(Some(ACR_PASSKEY), None).unwrap();
        assert!(needs_step_up(&asked, Proof::PasswordAndTotp, holding(&[Kind::App, Kind::SecurityKey])));
        assert!(!needs_step_up(&asked, Proof::PasswordAndTotp, holding(&[Kind::App])));
    }

    #[test]
    fn the_weakest_of_several_values_is_enough_and_unknown_values_are_ignored() {
        let asked = requested(Some(&format!("{ACR_KEY} {ACR_SMS} urn:other:gold")), None).unwrap();
        assert_eq!(asked, [ACR_KEY, ACR_SMS]);
        assert_eq!(wanted(&asked), Some(2));
        assert_eq!(requested(Some("urn:other:gold"), None).unwrap(), Vec::<String>::new());
        assert_eq!(wanted(&[]), None);
        assert!(!needs_step_up(&[], Proof::Password, holding(&[Kind::App])));
    }

    #[test]
    fn the_claims_parameter_asks_for_an_acr_too() {
        let claims = format!(r#"{{"id_token":{{"acr":{{"essential":true,"values":["{ACR_TOTP}"]}}}}}}"#);
        assert_eq!(requested(None, Some(&claims)).unwrap(), [ACR_TOTP]);
        let claims =
            format!(r#"{{"id_token":{{"acr":{{"essential":true,"value":"{ACR_PASSWORD}"}}}},"userinfo":{{}}}}"#);
        assert_eq!(requested(Some(ACR_PASSWORD), Some(&claims)).unwrap(), [ACR_PASSWORD]);
        assert!(requested(None, Some("not json")).is_err());
        assert!(requested(None, Some("[1]")).is_err());
    }

    #[test]
    fn every_value_we_issue_has_a_place_on_the_ladder() {
        for proof in Proof::ALL {
            assert_eq!(level_of(acr(proof)), Some(level(proof)));
        }
    }
}
