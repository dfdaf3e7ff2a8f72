//! An island's own requests to a server function, sent with `gloo-net`: a form
//! posts its `FormData` as it is (urlencoded, the body a plain post sends
//! without JavaScript), other calls send their fields the same way, and only
//! the answer is decoded (JSON). So the islands carry no argument encoders or
//! form decoders (`serde_qs`) and none of `server_fn`'s client; the server
//! function stays the one endpoint for both.

use std::marker::PhantomData;

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A server function an island calls: its last answer, whether a call is on
/// its way, and how many answers came (to react to each, even a repeated one).
pub struct Call<S: ServerFn>
where
    S::Output: Send + Sync + 'static,
{
    value: RwSignal<Option<Result<S::Output, AppError>>>,
    pending: RwSignal<bool>,
    version: RwSignal<usize>,
    server_fn: PhantomData<fn() -> S>,
}

impl<S: ServerFn> Clone for Call<S>
where
    S::Output: Send + Sync + 'static,
{
    fn clone(&self) -> Self {
        *self
    }
}

impl<S: ServerFn> Copy for Call<S> where S::Output: Send + Sync + 'static {}

impl<S> Default for Call<S>
where
    S: ServerFn,
    S::Output: DeserializeOwned + Clone + Send + Sync + 'static,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<S> Call<S>
where
    S: ServerFn,
    S::Output: DeserializeOwned + Clone + Send + Sync + 'static,
{
    pub fn new() -> Self {
        Self {
            value: RwSignal::new(None),
            pending: RwSignal::new(false),
            version: RwSignal::new(0),
            server_fn: PhantomData,
        }
    }

    /// Where a plain form posts when there is no JavaScript.
    pub fn url() -> &'static str {
        S::PATH
    }

    pub fn value(&self) -> RwSignal<Option<Result<S::Output, AppError>>> {
        self.value
    }

    pub fn pending(&self) -> Signal<bool> {
        self.pending.into()
    }

    pub fn version(&self) -> Signal<usize> {
        self.version.into()
    }

    /// The error of the last answer, if it was one.
    pub fn error(&self) -> Signal<Option<AppError>> {
        let value = self.value;
        Signal::derive(move || value.get().and_then(Result::err))
    }

    /// Calls with these fields.
    pub fn send(&self, fields: &[(&str, &str)]) {
        #[cfg(feature = "hydrate")]
        {
            let Ok(body) = leptos::web_sys::UrlSearchParams::new() else { return };
            for (name, value) in fields {
                body.append(name, value);
            }
            self.post(body);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = fields;
    }

    /// Calls with what the form holds, as a plain post would send it.
    pub fn send_form(&self, form: &leptos::web_sys::HtmlFormElement) {
        #[cfg(feature = "hydrate")]
        {
            let body = leptos::web_sys::FormData::new_with_form(form)
                .and_then(|data| leptos::web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data));
            match body {
                Ok(body) => self.post(body),
                Err(_) => {
                    self.value.set(Some(Err(AppError::BadRequest { message: "The form could not be read.".into() })))
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = form;
    }

    #[cfg(feature = "hydrate")]
    fn post(&self, body: leptos::web_sys::UrlSearchParams) {
        let (value, pending, version) = (self.value, self.pending, self.version);
        pending.set(true);
        leptos::task::spawn_local(async move {
            let answer = request(S::PATH, body).await;
            value.set(Some(answer));
            version.update(|v| *v += 1);
            pending.set(false);
        });
    }
}

/// One POST and its answer: the output as JSON, or the `AppError` the server
/// function refused with (any status but 2xx).
#[cfg(feature = "hydrate")]
async fn request<O: DeserializeOwned>(path: &str, body: leptos::web_sys::UrlSearchParams) -> Result<O, AppError> {
    let network = |e: gloo_net::Error| AppError::Network { message: e.to_string() };
    let response = gloo_net::http::Request::post(path)
        // Not text/html: the server function answers with data, not a redirect to a page.
        .header("Accept", "application/json")
        .body(body)
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    let text = response.text().await.map_err(network)?;
    if response.ok() {
        serde_json::from_str(&text).map_err(|e| AppError::Network { message: format!("an unreadable answer ({e})") })
    } else {
        Err(serde_json::from_str::<AppError>(&text).unwrap_or(AppError::Internal))
    }
}
