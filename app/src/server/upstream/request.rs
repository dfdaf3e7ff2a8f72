//! One sign-in at a provider: the authorization request we send the browser
//! with, and, when it comes back, the code exchange and the ID token's checks.

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreProviderMetadata};
use openidconnect::{
    AuthType, AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    SignatureVerificationError, TokenResponse,
};
use serde::{Deserialize, Serialize};

use super::Upstreams;
use crate::server::refusals::UpstreamRefused;
use crate::server::store::upstream::providers::Provider;

/// Clocks differ: an ID token is accepted this long past its `exp`.
const CLOCK_SKEW_SECS: i64 = 60;

/// What the browser's request must match when it comes back (sealed into a cookie).
#[derive(Serialize, Deserialize, Clone)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// Who the provider says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// `amr` as the ID token says it.
    pub amr: Vec<String>,
}

/// A client made from discovery: the authorization endpoint is known, the token endpoint may be.
type Discovered =
    CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

fn client(
    provider: &Provider,
    metadata: CoreProviderMetadata,
    redirect_uri: &str,
) -> Result<Discovered, UpstreamRefused> {
    use openidconnect::core::CoreClientAuthMethod;
    let post_only = metadata.token_endpoint_auth_methods_supported().is_some_and(|methods| {
        !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
            && methods.contains(&CoreClientAuthMethod::ClientSecretPost)
    });
    let redirect = RedirectUrl::new(redirect_uri.to_string()).map_err(|_| invalid(provider))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(provider.client_id.clone()),
        Some(ClientSecret::new(provider.client_secret.clone())),
    )
    .set_redirect_uri(redirect);
    Ok(if post_only { client.set_auth_type(AuthType::RequestBody) } else { client })
}

fn invalid(provider: &Provider) -> UpstreamRefused {
    UpstreamRefused::InvalidToken { provider: provider.name.clone() }
}

impl Upstreams {
    /// The provider's issuer as its discovery document says it (the `iss` an answer must carry).
    pub async fn issuer(&self, provider: &Provider, now: i64) -> Result<String, UpstreamRefused> {
        Ok(self.metadata(provider, now, false).await?.issuer().to_string())
    }

    /// The authorization request's URL, and what its answer must match.
    pub async fn begin(
        &self,
        provider: &Provider,
        redirect_uri: &str,
        now: i64,
    ) -> Result<(String, Pending), UpstreamRefused> {
        let client = client(provider, self.metadata(provider, now, false).await?, redirect_uri)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request =
            client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random);
        for scope in provider.scopes.split_whitespace().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.to_string()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let pending = Pending {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
        };
        Ok((url.to_string(), pending))
    }

    /// Exchanges the code and checks the ID token. An unknown signing key
    /// fetches the provider's keys again, once (it may have rotated them).
    pub async fn finish(
        &self,
        provider: &Provider,
        redirect_uri: &str,
        pending: &Pending,
        code: &str,
        now: i64,
    ) -> Result<Identity, UpstreamRefused> {
        let exchanging = client(provider, self.metadata(provider, now, false).await?, redirect_uri)?;
        let response = exchanging
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|_| invalid(provider))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                tracing::info!(provider = %provider.name, error = %e, "an identity provider refused the code exchange");
                invalid(provider)
            })?;
        let id_token = response.id_token().cloned().ok_or_else(|| invalid(provider))?;
        match verify(&exchanging, &id_token, pending, now) {
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                let refreshed = client(provider, self.metadata(provider, now, true).await?, redirect_uri)?;
                verify(&refreshed, &id_token, pending, now)
            }
            other => other,
        }
        .map_err(|e| {
            tracing::info!(provider = %provider.name, error = %e, "an identity provider's ID token was refused");
            invalid(provider)
        })
    }
}

fn verify(
    client: &Discovered,
    id_token: &CoreIdToken,
    pending: &Pending,
    now: i64,
) -> Result<Identity, ClaimsVerificationError> {
    let at = |secs: i64| chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default();
    let verifier = client
        .id_token_verifier()
        .set_time_fn(move || at(now - CLOCK_SKEW_SECS))
        .set_issue_time_verifier_fn(move |iat| {
            if iat.timestamp() > now + CLOCK_SKEW_SECS {
                Err("issued in the future".to_string())
            } else {
                Ok(())
            }
        });
    let claims = id_token.claims(&verifier, &Nonce::new(pending.nonce.clone()))?;
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_string())
        .or_else(|| claims.preferred_username().map(|u| u.as_str().to_string()));
    Ok(Identity {
        subject: claims.subject().as_str().to_string(),
        email: claims.email().map(|e| e.as_str().to_string()),
        email_verified: claims.email_verified().unwrap_or(false),
        name,
        amr: claims
            .auth_method_refs()
            .map(|amr| amr.iter().map(|a| a.as_str().to_string()).collect())
            .unwrap_or_default(),
    })
}
