//! The Settings tab's switches that tighten who gets in: "Remembered
//! browsers" (may members skip the code on a browser they chose to
//! remember), "Require verified email addresses" and "Require several
//! factors from identity providers". Owners and admins tighten; only owners loosen.

use leptos::prelude::*;

use crate::server_fns::orgs::{SetRememberedBrowsers, SetUpstreamMfaRequirement, SetVerifiedEmailsRequirement};
use crate::ui::components::forms::{last_error, FormError, SubmitButton, Switch};

#[component]
pub fn RememberedBrowsersSection(
    slug: String,
    owner: bool,
    allowed: bool,
    action: ServerAction<SetRememberedBrowsers>,
) -> impl IntoView {
    let error = last_error(action);
    // After a plain form post the page comes back with `?saved=remembered-browsers`.
    let query = leptos_router::hooks::use_query_map();
    let saved = move || {
        matches!(action.value().get(), Some(Ok(())))
            || query.read().get("saved").as_deref() == Some("remembered-browsers")
    };
    let label = "Let members skip the code for 30 days on browsers they choose to remember";
    let can_switch = owner || allowed;
    view! {
        <section class="card wide" aria-labelledby="remembered-title">
            <h2 id="remembered-title">"Remembered browsers"</h2>
            <p class="muted">
                "When off, members are asked for their second factor at every sign-in, and the browsers \
                 they remembered are forgotten."
            </p>
            {if can_switch {
                view! {
                    <ActionForm action>
                        <input type="hidden" name="slug" value=slug />
                        <FormError error />
                        <Switch id="allow-remembered" name="allow" checked=allowed label=label />
                        <SubmitButton label="Update remembered browsers" pending_label="Saving…" />
                        <p class="success" role="status">
                            {move || saved().then_some("Saved.")}
                        </p>
                    </ActionForm>
                }
                    .into_any()
            } else {
                view! { <p>{format!("{label}: off. Only owners can turn it on.")}</p> }.into_any()
            }}
        </section>
    }
}

/// "Require verified email addresses": owners and admins switch it on, only owners off.
#[component]
pub fn VerifiedEmailsSection(
    slug: String,
    owner: bool,
    required: bool,
    action: ServerAction<SetVerifiedEmailsRequirement>,
) -> impl IntoView {
    let error = last_error(action);
    let query = leptos_router::hooks::use_query_map();
    let saved = move || {
        matches!(action.value().get(), Some(Ok(()))) || query.read().get("saved").as_deref() == Some("verified-emails")
    };
    let label = "Require verified email addresses";
    view! {
        <section class="card wide" aria-labelledby="verified-emails-title">
            <h2 id="verified-emails-title">"Verified email addresses"</h2>
            <p class="muted">
                "When on, members who have not opened the link mailed to their address are refused on this \
                 organization's pages and API until they do."
            </p>
            {if owner || !required {
                view! {
                    <ActionForm action>
                        <input type="hidden" name="slug" value=slug />
                        <FormError error />
                        <Switch id="require-verified" name="require" checked=required label=label />
                        <SubmitButton label="Update email requirement" pending_label="Saving…" />
                        <p class="success" role="status">
                            {move || saved().then_some("Saved.")}
                        </p>
                    </ActionForm>
                }
                    .into_any()
            } else {
                view! { <p>{format!("{label}: on. Only owners can switch it off.")}</p> }.into_any()
            }}
        </section>
    }
}

/// Whether a sign-in through another identity provider is enough (the Hub
/// seed's rule, the default) or must carry the provider's own second factor.
#[component]
pub fn UpstreamMfaSection(
    slug: String,
    owner: bool,
    required: bool,
    action: ServerAction<SetUpstreamMfaRequirement>,
) -> impl IntoView {
    let error = last_error(action);
    let query = leptos_router::hooks::use_query_map();
    let saved = move || {
        matches!(action.value().get(), Some(Ok(()))) || query.read().get("saved").as_deref() == Some("upstream-mfa")
    };
    let label = "Require several factors from identity providers";
    view! {
        <section class="card wide" aria-labelledby="upstream-mfa-title">
            <h2 id="upstream-mfa-title">"Sign-ins through other identity providers"</h2>
            <p class="muted">
                "By default a sign-in through another identity provider is not asked for a code: the provider checked \
                 the person. When on, members are asked for their code unless the provider says it used several \
                 factors, and members without a password need two-factor authentication too."
            </p>
            {if owner || !required {
                view! {
                    <ActionForm action>
                        <input type="hidden" name="slug" value=slug />
                        <FormError error />
                        <Switch id="require-upstream-mfa" name="require" checked=required label=label />
                        <SubmitButton label="Update provider sign-ins" pending_label="Saving…" />
                        <p class="success" role="status">
                            {move || saved().then_some("Saved.")}
                        </p>
                    </ActionForm>
                }
                    .into_any()
            } else {
                view! { <p>{format!("{label}: on. Only owners can switch it off.")}</p> }.into_any()
            }}
        </section>
    }
}
