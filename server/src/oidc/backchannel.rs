//! Posts logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.5) to
//! applications' back-channel URIs: the outbox's `Backchannel` channel. A
//! 2xx is delivered; anything else, or no answer in 10 s, is retried.

use std::time::Duration;

use app::server::flows::oidc::backchannel;
use app::server::flows::oidc::Ctx;
use app::server::store::outbox::{Deliverer, Delivery, DeliveryError, Outgoing};
use app::server::AppState;

pub struct BackchannelDeliverer {
    state: AppState,
    http: reqwest::Client,
}

impl BackchannelDeliverer {
    pub fn new(state: AppState) -> Self {
        // The RP is the one to follow its own address: no redirects.
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self { state, http }
    }
}

impl Deliverer for BackchannelDeliverer {
    fn deliver<'a>(&'a self, message: &'a Outgoing) -> Delivery<'a> {
        Box::pin(async move {
            let meta = Default::default();
            let cx = Ctx::new(&self.state, &meta);
            let Some((uri, token)) = backchannel::logout_token(&cx, message).await? else {
                return Ok(());
            };
            let res = self
                .http
                .post(&uri)
                .header(http::header::CACHE_CONTROL, "no-store")
                .form(&[("logout_token", token.as_str())])
                .send()
                .await
                .map_err(|e| {
                    DeliveryError(format!("the application did not answer: {}", crate::outbox::request_failure(&e)))
                })?;
            match res.status() {
                status if status.is_success() => Ok(()),
                status => Err(DeliveryError(format!("the application answered {status}"))),
            }
        })
    }
}
