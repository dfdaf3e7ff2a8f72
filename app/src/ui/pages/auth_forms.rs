//! "Log In" and "Sign up". Both are plain forms posting to server functions,
//! so they work before hydration and with JavaScript switched off.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::server_fns::auth::{LogIn, SignUp};
use crate::server_fns::security_keys::load_login_methods;
use crate::ui::components::forms::{last_error, Field, FormError, SubmitButton};
use crate::ui::components::security_keys::PasskeySignIn;
use crate::validate::PASSWORD_MIN;

/// `?continue=`: a path on this site to go on to after logging in (an
/// application's sign-in); anything else is ignored.
pub fn continue_target() -> Signal<Option<String>> {
    let query = use_query_map();
    Signal::derive(move || query.read().get("continue").filter(|c| crate::applications::local_path(c).is_some()))
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<LogIn>::new();
    let error = last_error(action);
    let next = continue_target();
    let methods = Resource::new(|| (), |_| load_login_methods());
    let providers = Resource::new(|| (), |_| crate::server_fns::upstream::login_providers());
    let query = use_query_map();
    let reset = move || query.read().get("reset").is_some();
    view! {
        <Title text="Log In" />
        <section class="card narrow">
            <h1>"Log In"</h1>
            {move || {
                reset()
                    .then(|| {
                        view! {
                            <p role="status" class="notice">
                                "Your password was changed and you were signed out everywhere. Log in with your new password."
                            </p>
                        }
                    })
            }}
            {move || next.get().map(|_| view! { <p class="muted">"Log in to continue to the application."</p> })}
            <ActionForm action=action>
                <input type="hidden" name="next" value=move || next.get().unwrap_or_default() />
                <FormError error />
                <Field label="Email" name="email" kind="email" autocomplete="username webauthn" error />
                <Field label="Password" name="password" kind="password" autocomplete="current-password" error />
                <SubmitButton label="Log In" pending_label="Logging in…" />
            </ActionForm>
            <p class="muted">
                <A href="/forgot-password">"Forgot password?"</A>
            </p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let on = methods.await.is_ok_and(|m| m.webauthn);
                    on.then(|| view! { <PasskeySignIn next=next.get_untracked() /> })
                })}
            </Suspense>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let buttons = providers.await.unwrap_or_default();
                    view! { <ProviderButtons buttons next=next.get_untracked() /> }
                })}
            </Suspense>
            <p class="muted">"New to Portcullis? " <A href="/signup">"Sign up"</A></p>
        </section>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = last_error(action);
    view! {
        <Title text="Sign up" />
        <section class="card narrow">
            <h1>"Sign up"</h1>
            <ActionForm action=action>
                <FormError error />
                <Field label="Name" name="name" autocomplete="name" error />
                <Field label="Email" name="email" kind="email" autocomplete="email" error />
                <Field
                    label="Password"
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 8 characters. A long passphrase is best."
                    minlength=PASSWORD_MIN as u32
                    error
                />
                <SubmitButton label="Sign up" pending_label="Creating your account…" />
            </ActionForm>
            <p class="muted">"Already have an account? " <A href="/login">"Log In"</A></p>
        </section>
    }
}

/// "Sign in with <provider>": links (the provider's page is another site);
/// one whose issuer could not be reached says why instead.
#[component]
fn ProviderButtons(buttons: Vec<crate::upstream::ProviderButton>, next: Option<String>) -> impl IntoView {
    let items = buttons
        .into_iter()
        .map(|b| match b.unavailable {
            None => {
                let href = crate::upstream::start_path(b.id, next.as_deref());
                view! {
                    <li>
                        <a class="button" href=href rel="external">
                            {b.label}
                        </a>
                    </li>
                }
                .into_any()
            }
            Some(why) => view! {
                <li>
                    <span class="button" aria-disabled="true">
                        {b.label}
                    </span>
                    <p class="muted">{format!("Unavailable right now: {why}")}</p>
                </li>
            }
            .into_any(),
        })
        .collect_view();
    view! { <ul class="plain-list provider-buttons">{items}</ul> }
}
