//! The organization page, Applications tab (owners and admins): register
//! the applications that sign members in through Portcullis, see the client
//! secret once, regenerate it, disable, delete, and the recent sign-ins.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::org_members::{OrgError, OrgTabs};
use super::signed_in_user;
use crate::api::applications::{
    load_applications, DeleteApplication, RegenerateClientSecret, RegisterApplication, SetApplicationDisabled,
};
use crate::api::twofactor::FinishEnrollment;
use crate::applications::{Application, ApplicationsPage, NewCredentials};
use crate::model::{format_date, format_utc_time};
use crate::ui::auth::Auth;
use crate::ui::components::forms::{last_error, Field, FormError, SubmitButton};
use crate::ui::components::two_factor::copy_to_clipboard;

#[derive(Clone, Copy)]
struct Actions {
    register: ServerAction<RegisterApplication>,
    regenerate: ServerAction<RegenerateClientSecret>,
    disable: ServerAction<SetApplicationDisabled>,
    delete: ServerAction<DeleteApplication>,
}

#[component]
pub fn OrgApplicationsPage() -> impl IntoView {
    let params = use_params_map();
    let slug = move || params.read().get("slug").unwrap_or_default();
    let auth = expect_context::<Auth>();
    let finish = ServerAction::<FinishEnrollment>::new();
    let actions = Actions {
        register: ServerAction::new(),
        regenerate: ServerAction::new(),
        disable: ServerAction::new(),
        delete: ServerAction::new(),
    };
    let page = Resource::new(
        move || {
            let versions = (
                actions.register.version().get(),
                actions.regenerate.version().get(),
                actions.disable.version().get(),
                actions.delete.version().get(),
            );
            (slug(), versions, finish.version().get())
        },
        |(slug, ..)| load_applications(slug),
    );
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
                    Err(e) => view! { <OrgError error=e account=user.email finish /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ApplicationsView(page: ApplicationsPage, actions: Actions) -> impl IntoView {
    let ApplicationsPage { org, applications, issuer } = page;
    let slug = org.slug.clone();
    let row_error = Signal::derive(move || {
        last_error(actions.regenerate)
            .get()
            .or_else(|| last_error(actions.disable).get())
            .or_else(|| last_error(actions.delete).get())
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
            <RegisterForm slug=slug.clone() action=actions.register />
            <NewSecret action=actions.register />
            <h2>"Applications"</h2>
            <FormError error=row_error />
            {empty.then(|| view! { <p class="empty">"No applications yet."</p> })}
            {applications
                .into_iter()
                .map(|a| view! { <ApplicationCard app=a slug=slug.clone() actions /> })
                .collect_view()}
        </section>
    }
    .into_any()
}

#[component]
fn RegisterForm(slug: String, action: ServerAction<RegisterApplication>) -> impl IntoView {
    let error = last_error(action);
    let uri_error = move |field: &'static str| move || error.get().and_then(|e| e.field_message(field));
    view! {
        <details class="panel register-app">
            <summary class="button primary">"Register an application"</summary>
            <ActionForm action=action>
                <input type="hidden" name="slug" value=slug />
                <FormError error />
                <Field
                    label="Name"
                    name="name"
                    id="app-name"
                    hint="Shown to people when they sign in, e.g. \"Wiki\"."
                    error
                />
                <div class="field">
                    <label for="app-redirect-uris">"Redirect URIs"</label>
                    <textarea
                        id="app-redirect-uris"
                        name="redirect_uris"
                        rows="2"
                        required=true
                        aria-describedby="app-redirect-uris-hint app-redirect-uris-error"
                        placeholder="https://wiki.example.com/oauth/callback"
                    ></textarea>
                    <p class="hint" id="app-redirect-uris-hint">
                        "One per line, matched exactly. https, or http on 127.0.0.1 or localhost."
                    </p>
                    <p class="field-error" id="app-redirect-uris-error" role="alert">
                        {uri_error("redirect_uris")}
                    </p>
                </div>
                <div class="field">
                    <label for="app-logout-uris">"Post-logout redirect URIs"</label>
                    <textarea
                        id="app-logout-uris"
                        name="post_logout_redirect_uris"
                        rows="2"
                        aria-describedby="app-logout-uris-hint app-logout-uris-error"
                    ></textarea>
                    <p class="hint" id="app-logout-uris-hint">
                        "Optional. Where the application may send people after they log out."
                    </p>
                    <p class="field-error" id="app-logout-uris-error" role="alert">
                        {uri_error("post_logout_redirect_uris")}
                    </p>
                </div>
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
                <SubmitButton label="Register" pending_label="Registering…" pending=action.pending() />
            </ActionForm>
        </details>
    }
}

/// The credentials of the application just registered (or whose secret was just regenerated).
#[component]
fn Credentials(made: NewCredentials) -> impl IntoView {
    let copied = RwSignal::new("");
    let NewCredentials { client_id, client_secret } = made;
    let id_copy = client_id.clone();
    view! {
        <div class="notice credentials" role="status">
            <p>
                <strong>"Client ID: "</strong>
                <code aria-label="Client ID">{client_id}</code>
                " "
                <button
                    type="button"
                    class="button small"
                    on:click=move |_| {
                        copy_to_clipboard(&id_copy);
                        copied.set("id");
                    }
                >
                    {move || if copied.get() == "id" { "Copied" } else { "Copy" }}
                </button>
            </p>
            {client_secret
                .map(|secret| {
                    let copy = secret.clone();
                    view! {
                        <p>
                            <strong>"Client secret: "</strong>
                            <code aria-label="Client secret">{secret}</code>
                            " "
                            <button
                                type="button"
                                class="button small"
                                on:click=move |_| {
                                    copy_to_clipboard(&copy);
                                    copied.set("secret");
                                }
                            >
                                {move || if copied.get() == "secret" { "Copied" } else { "Copy" }}
                            </button>
                        </p>
                        <p>"Store the secret in the application's configuration now: it is shown only this once."</p>
                    }
                })}
        </div>
    }
}

#[component]
fn NewSecret(action: ServerAction<RegisterApplication>) -> impl IntoView {
    move || action.value().get().and_then(Result::ok).map(|made| view! { <Credentials made /> })
}

#[component]
fn ApplicationCard(app: Application, slug: String, actions: Actions) -> impl IntoView {
    let Application {
        client_id,
        name,
        public,
        redirect_uris,
        require_two_factor,
        disabled,
        created_at,
        recent_sign_ins,
        ..
    } = app;
    let regenerated = {
        let client_id = client_id.clone();
        move || {
            actions
                .regenerate
                .value()
                .get()
                .and_then(Result::ok)
                .filter(|m| m.client_id == client_id)
                .map(|made| view! { <Credentials made /> })
        }
    };
    let (s1, s2, s3) = (slug.clone(), slug.clone(), slug);
    let toggle_label = format!("{} {name}", if disabled { "Enable" } else { "Disable" });
    let regenerate_label = format!("Regenerate secret of {name}");
    let delete_label = format!("Delete {name}");
    let confirm = format!("Yes, delete {name}");
    let (labelled_by, heading_id) = (format!("app-{client_id}"), format!("app-{client_id}"));
    let (c1, c2, c3) = (client_id.clone(), client_id.clone(), client_id.clone());
    view! {
        <article class="app-card" aria-labelledby=labelled_by>
            <header class="org-header">
                <h3 id=heading_id>{name}</h3>
                <span class="badge">{if public { "Public" } else { "Confidential" }}</span>
                {require_two_factor.then(|| view! { <span class="badge on">"Requires 2FA"</span> })}
                {disabled.then(|| view! { <span class="badge off">"Disabled"</span> })}
            </header>
            <dl class="details">
                <dt>"Client ID"</dt>
                <dd>
                    <code>{client_id}</code>
                </dd>
                <dt>"Redirect URIs"</dt>
                <dd>{redirect_uris.join(", ")}</dd>
                <dt>"Registered"</dt>
                <dd>{format_date(created_at)}</dd>
            </dl>
            {regenerated}
            <h4>"Recent sign-ins"</h4>
            {if recent_sign_ins.is_empty() {
                view! { <p class="empty">"Nobody has signed in yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="sign-ins">
                        {recent_sign_ins
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <li>
                                        {format!(
                                            "{} ({}), {} {}{}",
                                            s.name,
                                            s.email,
                                            format_date(s.at),
                                            format_utc_time(s.at),
                                            if s.two_factor { ", with 2FA" } else { "" },
                                        )}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <div class="manage">
                <ActionForm action=actions.disable attr:class="inline-form">
                    <input type="hidden" name="slug" value=s1 />
                    <input type="hidden" name="client_id" value=c1 />
                    <input type="hidden" name="disabled" value=(!disabled).to_string() />
                    <button
                        type="submit"
                        class="button small"
                        aria-label=toggle_label
                        disabled=move || actions.disable.pending().get()
                    >
                        {if disabled { "Enable" } else { "Disable" }}
                    </button>
                </ActionForm>
                {(!public)
                    .then(|| {
                        view! {
                            <details class="panel inline-panel">
                                <summary class="button small" aria-label=regenerate_label>
                                    "Regenerate secret"
                                </summary>
                                <ActionForm action=actions.regenerate attr:class="inline-form">
                                    <input type="hidden" name="slug" value=s2.clone() />
                                    <input type="hidden" name="client_id" value=c2.clone() />
                                    <label class="visually-hidden" for=format!("regen-password-{c2}")>
                                        "Your password"
                                    </label>
                                    <input
                                        id=format!("regen-password-{c2}")
                                        type="password"
                                        name="password"
                                        placeholder="Your password"
                                        autocomplete="current-password"
                                        required=true
                                    />
                                    <label class="visually-hidden" for=format!("regen-code-{c2}")>
                                        "Your authentication code"
                                    </label>
                                    <input
                                        id=format!("regen-code-{c2}")
                                        type="text"
                                        name="code"
                                        placeholder="Code (if you use 2FA)"
                                        inputmode="numeric"
                                        autocomplete="one-time-code"
                                    />
                                    <SubmitButton
                                        label="Regenerate"
                                        pending_label="Regenerating…"
                                        pending=actions.regenerate.pending()
                                        class="button small danger"
                                    />
                                </ActionForm>
                            </details>
                        }
                    })}
                <details class="panel inline-panel">
                    <summary class="button small danger" aria-label=delete_label>
                        "Delete"
                    </summary>
                    <p>"Everyone signed in to it through Portcullis loses access at once."</p>
                    <ActionForm action=actions.delete attr:class="inline-form">
                        <input type="hidden" name="slug" value=s3 />
                        <input type="hidden" name="client_id" value=c3 />
                        <button
                            type="submit"
                            class="button small danger"
                            disabled=move || actions.delete.pending().get()
                        >
                            {confirm}
                        </button>
                    </ActionForm>
                </details>
            </div>
        </article>
    }
}
