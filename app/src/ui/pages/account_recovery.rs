//! The pages behind mailed links and "Forgot password": each a plain form,
//! so they work before hydration and without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::server_fns::account::{load_reset_form, ForgotPassword, ResetPassword, VerifyEmail};
use crate::ui::components::forms::{last_error, Field, FormError, SubmitButton};
use crate::validate::PASSWORD_MIN;

fn token() -> Signal<String> {
    let query = use_query_map();
    Signal::derive(move || query.read().get("token").unwrap_or_default())
}

/// A button, not the link itself: mail scanners that open links must not use it up.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let query = use_query_map();
    let action = ServerAction::<VerifyEmail>::new();
    let error = last_error(action);
    let token = token();
    let done = move || matches!(action.value().get(), Some(Ok(()))) || query.read().get("verified").is_some();
    view! {
        <Title text="Verify your email address" />
        <section class="card narrow">
            <h1>"Verify your email address"</h1>
            <Show
                when=done
                fallback=move || {
                    view! {
                        <p>"Confirm that this address is yours."</p>
                        <ActionForm action=action>
                            <input type="hidden" name="token" value=token />
                            <FormError error />
                            <SubmitButton label="Verify email address" pending_label="Verifying…" />
                        </ActionForm>
                    }
                }
            >
                <p role="status">"Your email address is verified."</p>
                <A href="/account" attr:class="button">
                    "Go to your account"
                </A>
            </Show>
        </section>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let action = ServerAction::<ForgotPassword>::new();
    let error = last_error(action);
    let sent = move || matches!(action.value().get(), Some(Ok(()))) || query.read().get("sent").is_some();
    view! {
        <Title text="Forgot your password?" />
        <section class="card narrow">
            <h1>"Forgot your password?"</h1>
            <Show
                when=sent
                fallback=move || {
                    view! {
                        <p>
                            "Enter your account's email address and we will send you a link to choose a new password."
                        </p>
                        <ActionForm action=action>
                            <FormError error />
                            <Field label="Email" name="email" kind="email" autocomplete="username" error />
                            <SubmitButton label="Send reset link" pending_label="Sending…" />
                        </ActionForm>
                    }
                }
            >
                <p role="status">
                    "If an account uses that address, we have sent it a link to choose a new password. The link works once, for 30 minutes."
                </p>
            </Show>
            <p class="muted">
                <A href="/login">"Back to Log In"</A>
            </p>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = token();
    let form = Resource::new(move || token.get(), load_reset_form);
    let action = ServerAction::<ResetPassword>::new();
    let error = last_error(action);
    view! {
        <Title text="Choose a new password" />
        <section class="card narrow">
            <h1>"Choose a new password"</h1>
            <Suspense fallback=|| {
                view! { <p class="loading">"Loading…"</p> }
            }>
                {move || Suspend::new(async move {
                    match form.await {
                        Err(e) => {
                            view! {
                                <p role="alert">{e.to_string()}</p>
                                <A href="/forgot-password" attr:class="button">
                                    "Ask for a new link"
                                </A>
                            }
                                .into_any()
                        }
                        Ok(form) => {
                            let code_hint = if form.has_app {
                                "Two-factor authentication is on: a code from your authenticator app, or one of your backup codes."
                            } else {
                                "Two-factor authentication is on: one of your backup codes."
                            };
                            view! {
                                <ActionForm action=action>
                                    <input type="hidden" name="token" value=token.get_untracked() />
                                    <FormError error />
                                    <Field
                                        label="New password"
                                        name="password"
                                        kind="password"
                                        autocomplete="new-password"
                                        hint="At least 8 characters, and not one of the most common passwords. A long passphrase is best."
                                        minlength=PASSWORD_MIN as u32
                                        error
                                    />
                                    {if form.code_needed {
                                        view! {
                                            <Field
                                                label="Authentication code"
                                                name="code"
                                                autocomplete="one-time-code"
                                                hint=code_hint
                                                error
                                            />
                                        }
                                            .into_any()
                                    } else {
                                        view! { <input type="hidden" name="code" value="" /> }.into_any()
                                    }}
                                    <p class="muted">
                                        "You will be signed out everywhere, then log in with the new password."
                                    </p>
                                    <SubmitButton label="Set new password" pending_label="Saving…" />
                                </ActionForm>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}
