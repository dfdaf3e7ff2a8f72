//! The organization page, Applications tab (owners and admins): register
//! the applications that sign members in through Portcullis, see the client
//! secret once, regenerate it, disable, delete, and the recent sign-ins.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::app_card::{Actions, ApplicationCard, Credentials};
use super::app_edit::{SigningAlgSelect, BACKCHANNEL_HINT, SERVICE_LABEL};
use super::org_members::{OrgError, OrgTabs};
use super::signed_in_user;
use crate::applications::ApplicationsPage;
use crate::applications::SigningAlg;
use crate::error::AppError;
use crate::server_fns::applications::{load_applications, RegisterApplication};
use crate::ui::auth::Auth;
use crate::ui::components::call::Call;
use crate::ui::components::forms::{last_error, ActionButton, Field, FormError, IslandForm};

#[component]
pub fn OrgApplicationsPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let auth = expect_context::<Auth>();
    let actions = Actions { disable: ServerAction::new(), delete: ServerAction::new(), update: ServerAction::new() };
    let page = Resource::new(slug, load_applications);
    view! {
        <Transition fallback=|| {
            view! { <p class="loading">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let user = match signed_in_user(auth).await {
                    Ok(user) => user,
                    Err(view) => return view,
                };
                match page.await {
                    Ok(page) => view! { <ApplicationsView page actions /> }.into_any(),
                    Err(e) => view! { <OrgError error=e account=user.email /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ApplicationsView(page: ApplicationsPage, actions: Actions) -> impl IntoView {
    let ApplicationsPage { org, applications, issuer, also_manages } = page;
    let org_name = org.name.clone();
    let slug = org.slug.clone();
    let row_error = Signal::derive(move || {
        last_error(actions.disable)
            .get()
            .or_else(|| last_error(actions.delete).get())
            .or_else(|| last_error(actions.update).get())
    });
    let empty = applications.is_empty();
    view! {
        <Title text=format!("{} applications", org.name) />
        <section class="card wide">
            <header class="org-header">
                <h1>{org.name.clone()}</h1>
            </header>
            <OrgTabs slug=org.slug manage=true current="applications" />
            <p class="muted">
                "Applications registered here let members of this organization sign in with Portcullis (OpenID Connect): password, then their second factor, under this organization's rules."
            </p>
            {match issuer {
                Some(issuer) => {
                    view! {
                        <dl class="details">
                            <dt>"Issuer"</dt>
                            <dd>
                                <code>{issuer.clone()}</code>
                            </dd>
                            <dt>"Discovery"</dt>
                            <dd>
                                <code>{format!("{issuer}/.well-known/openid-configuration")}</code>
                            </dd>
                        </dl>
                    }
                        .into_any()
                }
                None => {
                    view! {
                        <p class="notice" role="status">
                            "Signing in to applications is not enabled on this server: its operator must set PORTCULLIS_PUBLIC_URL."
                        </p>
                    }
                        .into_any()
                }
            }}
            <RegisterForm slug=slug.clone() />
            <h2>"Applications"</h2>
            <FormError error=row_error />
            {empty.then(|| view! { <p class="empty">"No applications yet."</p> })}
            {applications
                .into_iter()
                .map(|a| {
                    view! {
                        <ApplicationCard
                            app=a
                            slug=slug.clone()
                            org_name=org_name.clone()
                            also_manages=also_manages.clone()
                            actions
                        />
                    }
                })
                .collect_view()}
        </section>
    }
    .into_any()
}

/// "Register an application", and its credentials once registered (an
/// island: the secret is shown this once, in the browser).
#[island]
fn RegisterForm(slug: String) -> impl IntoView {
    let action = Call::<RegisterApplication>::new();
    let error = action.error();
    let tab = format!("/orgs/{slug}/applications");
    let made = move || {
        action.value().get().and_then(Result::ok).map(|made| {
            view! {
                <Credentials made />
                <a class="button primary" href=tab.clone()>
                    "Done"
                </a>
            }
        })
    };
    view! {
        <details class="panel register-app">
            <summary class="button primary">"Register an application"</summary>
            <IslandForm action=action>
                <input type="hidden" name="slug" value=slug />
                <FormError error />
                <Field
                    label="Name"
                    name="name"
                    id="app-name"
                    hint="Shown to people when they sign in, e.g. \"Wiki\"."
                    error
                />
                <UriList
                    id="app-redirect-uris"
                    name="redirect_uris"
                    label="Redirect URIs"
                    hint="One per line, matched exactly. https, or http on 127.0.0.1 or localhost."
                    placeholder="https://wiki.example.com/oauth/callback"
                    required=true
                    error
                />
                <UriList
                    id="app-logout-uris"
                    name="post_logout_redirect_uris"
                    label="Post-logout redirect URIs"
                    hint="Optional. Where the application may send people after they log out."
                    placeholder=""
                    required=false
                    error
                />
                <div class="field">
                    <label for="app-backchannel">"Back-channel logout URI"</label>
                    <input
                        id="app-backchannel"
                        name="backchannel_logout_uri"
                        type="url"
                        aria-describedby="app-backchannel-hint"
                    />
                    <p class="hint" id="app-backchannel-hint">
                        {BACKCHANNEL_HINT}
                    </p>
                </div>
                <SigningAlgSelect id="app-alg".to_string() selected=SigningAlg::default() />
                <div class="field checkbox">
                    <input id="app-public" type="checkbox" name="public" value="true" />
                    <label for="app-public">
                        "Public client (single-page or mobile app): no secret, PKCE required"
                    </label>
                </div>
                <div class="field checkbox">
                    <input id="app-2fa" type="checkbox" name="require_two_factor" value="true" />
                    <label for="app-2fa">"Require two-factor authentication for this application"</label>
                </div>
                <div class="field checkbox">
                    <input id="app-api" type="checkbox" name="resource_server" value="true" />
                    <label for="app-api">
                        "Resource server (confidential only): may introspect the tokens of this organization's applications"
                    </label>
                </div>
                <div class="field checkbox">
                    <input id="app-service" type="checkbox" name="service" value="true" />
                    <label for="app-service">{SERVICE_LABEL}</label>
                </div>
                <ActionButton label="Register" pending_label="Registering…" pending=action.pending() />
            </IslandForm>
        </details>
        {made}
    }
}

/// A textarea of addresses, one per line, with its hint and its own error.
#[component]
fn UriList(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    placeholder: &'static str,
    required: bool,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let (hint_id, error_id) = (format!("{id}-hint"), format!("{id}-error"));
    let described_by = format!("{hint_id} {error_id}");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <textarea
                id=id
                name=name
                rows="2"
                required=required
                aria-describedby=described_by
                placeholder=(!placeholder.is_empty()).then_some(placeholder)
            ></textarea>
            <p class="hint" id=hint_id>
                {hint}
            </p>
            <p class="field-error" id=error_id role="alert">
                {move || error.get().and_then(|e| e.field_message(name))}
            </p>
        </div>
    }
}
