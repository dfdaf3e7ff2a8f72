//! Security keys and passkeys (WebAuthn) through webauthn-rs's safe API:
//! the relying party (from `PORTCULLIS_PUBLIC_URL`); the stored keys and the
//! ceremonies in progress are in `store::webauthn`.

use webauthn_rs::prelude::{Url, Uuid, Webauthn, WebauthnBuilder};

use super::refusals::Refused;
use super::AppState;
use crate::error::AppResult;

/// The site keys are bound to: its id (the host name) and its one origin.
pub struct RelyingParty {
    pub webauthn: Webauthn,
    /// `https://id.example.com`, as the browser's `location.origin` must be.
    pub origin: String,
}

/// WebAuthn needs the public URL, and a domain name in it (browsers refuse IP
/// addresses as relying party ids): otherwise it is off, and says why.
pub fn relying_party(public_url: Option<&str>) -> Result<RelyingParty, String> {
    let raw = public_url.ok_or("PORTCULLIS_PUBLIC_URL is not set")?;
    let url = Url::parse(raw).map_err(|_| format!("PORTCULLIS_PUBLIC_URL {raw:?} is not a URL"))?;
    let rp_id = url
        .domain()
        .ok_or_else(|| format!("PORTCULLIS_PUBLIC_URL {raw:?} names no domain (an IP address cannot hold keys)"))?
        .to_string();
    let webauthn = WebauthnBuilder::new(&rp_id, &url)
        .and_then(|b| b.rp_name("Portcullis").build())
        .map_err(|e| format!("PORTCULLIS_PUBLIC_URL {raw:?} cannot be a WebAuthn relying party: {e}"))?;
    Ok(RelyingParty { webauthn, origin: url.origin().ascii_serialization() })
}

/// The relying party, or the refusal saying that security keys are off here.
pub fn rp(state: &AppState) -> AppResult<&RelyingParty> {
    state.webauthn.as_deref().ok_or_else(|| Refused::SecurityKeysOff.into())
}

/// Every ceremony's challenge is good for this long (webauthn-rs tells the
/// browser 5 minutes too).
pub const CEREMONY_SECS: i64 = 5 * 60;

/// The account's user handle for keys, made at its first key: random, so a
/// key reveals nothing of the account. One conditional UPDATE: of two first
/// registrations at once, both end with the handle that was stored.
pub async fn user_handle(tx: &mut sqlx::Transaction<'_, sqlx::Any>, user_id: i64) -> AppResult<Uuid> {
    sqlx::query("UPDATE users SET webauthn_handle = $1 WHERE id = $2 AND webauthn_handle IS NULL")
        .bind(Uuid::new_v4().to_string())
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    let handle: String = sqlx::query_scalar("SELECT webauthn_handle FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await?;
    Uuid::parse_str(&handle).map_err(|_| crate::error::AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relying_party_is_the_public_urls_host_and_origin() {
        let rp = relying_party(Some("https://id.example.com")).unwrap();
        assert_eq!(rp.origin, "https://id.example.com");
        assert_eq!(relying_party(Some("http://localhost:3000")).unwrap().origin, "http://localhost:3000");
    }

    #[test]
    fn without_a_domain_name_security_keys_are_off() {
        assert!(relying_party(None).is_err());
        assert!(relying_party(Some("http://127.0.0.1:3000")).err().is_some_and(|why| why.contains("IP address")));
    }
}
