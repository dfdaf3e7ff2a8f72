//! The authorization page of an application's sign-in: consent ("Allow" /
//! "Deny"), "not a member", or "set up 2FA first". Its forms post to
//! server functions and then leave for the continuation with a full page
//! load (it is not a page of this app).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

use crate::applications::{continue_path, login_then, scope_description, AuthorizationPrompt};
use crate::error::AppError;
use crate::server_fns::applications::{load_authorization, DecideConsent};
use crate::ui::components::applications::{set_status, CannotContinue};
use crate::ui::components::forms::{last_error, FormError, SubmitButton};
use crate::ui::components::two_factor::EnrollButton;

#[component]
pub fn AuthorizationPage() -> impl IntoView {
    let query = use_query_map();
    let request = move || query.read().get("request").unwrap_or_default();
    let decide = ServerAction::<DecideConsent>::new();
    let prompt = Resource::new(request, load_authorization);
    view! {
        <Title text="Sign in to an application" />
        <Transition fallback=|| {
            view! { <p class="loading">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match prompt.await {
                    Ok(prompt) => view! { <PromptView prompt request=request() decide /> }.into_any(),
                    Err(AppError::Unauthenticated) => {
                        view! { <Redirect path=login_then(&continue_path(&request())) /> }.into_any()
                    }
                    Err(error) => view! { <CannotContinue title="Cannot sign you in" error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PromptView(prompt: AuthorizationPrompt, request: String, decide: ServerAction<DecideConsent>) -> impl IntoView {
    match prompt {
        AuthorizationPrompt::Consent { app, org, scopes } => {
            view! { <Consent app org scopes request decide /> }.into_any()
        }
        AuthorizationPrompt::NotMember { app, org, back } => {
            set_status(403);
            view! {
                <section class="card narrow">
                    <h1>"You cannot sign in to this application"</h1>
                    <p role="alert">
                        {format!(
                            "{app} is for members of {org}, and you are not a member. Ask an owner or admin of {org} to invite you.",
                        )}
                    </p>
                    <a class="button" href=back rel="external">
                        {format!("Back to {app}")}
                    </a>
                </section>
            }
            .into_any()
        }
        AuthorizationPrompt::VerifyEmail { app, org, back } => {
            set_status(403);
            view! {
                <section class="card narrow">
                    <h1>"Verify your email address first"</h1>
                    <p role="alert">
                        {format!(
                            "{org} requires a verified email address. Open the link we mailed you, or send a new one from your Account page, then continue to {app}.",
                        )}
                    </p>
                    <a class="button" href="/account">
                        "Account"
                    </a>
                    " "
                    <a class="button" href=back rel="external">
                        {format!("Back to {app}")}
                    </a>
                </section>
            }
            .into_any()
        }
        AuthorizationPrompt::EnrollTwoFactor { app, org, by_app, account } => {
            set_status(403);
            let why = if by_app {
                format!("{app} requires two-factor authentication. Set it up to continue to {app}.")
            } else {
                format!("{org} requires two-factor authentication. Set it up to continue to {app}.")
            };
            view! {
                <section class="card narrow">
                    <h1>"Two-factor authentication required"</h1>
                    <p role="alert">{why}</p>
                    <EnrollButton account />
                </section>
            }
            .into_any()
        }
        AuthorizationPrompt::Ready { app, next } => view! {
            <section class="card narrow">
                <h1>{format!("Continue to {app}")}</h1>
                <a class="button primary" href=next rel="external">
                    "Continue"
                </a>
            </section>
        }
        .into_any(),
    }
}

#[component]
fn Consent(
    app: String,
    org: String,
    scopes: Vec<String>,
    request: String,
    decide: ServerAction<DecideConsent>,
) -> impl IntoView {
    let error = last_error(decide);
    let deny_request = request.clone();
    view! {
        <section class="card narrow consent" aria-labelledby="consent-title">
            <h1 id="consent-title">{format!("Sign in to {app}")}</h1>
            <p>{format!("{app}, an application of {org}, asks to use your Portcullis account. It will be able to:")}</p>
            <ul class="scope-list">
                {scopes
                    .into_iter()
                    .filter_map(|s| scope_description(&s))
                    .map(|d| view! { <li>{d}</li> })
                    .collect_view()}
            </ul>
            <p class="muted">"You can revoke this at any time on your Account page."</p>
            <FormError error />
            <div class="actions">
                <ActionForm action=decide attr:class="inline-form">
                    <input type="hidden" name="request" value=request />
                    <input type="hidden" name="allow" value="true" />
                    <SubmitButton label="Allow" pending_label="Continuing…" />
                </ActionForm>
                <ActionForm action=decide attr:class="inline-form">
                    <input type="hidden" name="request" value=deny_request />
                    <input type="hidden" name="allow" value="false" />
                    <button type="submit" class="button" disabled=move || decide.pending().get()>
                        "Deny"
                    </button>
                </ActionForm>
            </div>
        </section>
    }
}
