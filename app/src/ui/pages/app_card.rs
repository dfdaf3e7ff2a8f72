//! One application on the Applications tab (its details, recent sign-ins,
//! "Disable", "Regenerate secret", "Delete"), and the credentials shown once
//! after registering it or regenerating its secret.

use leptos::prelude::*;

use super::app_edit::EditApplication;
use crate::applications::{Application, NewCredentials, OrgName};
use crate::model::{format_date, format_utc_time};
use crate::server_fns::applications::{
    DeleteApplication, RegenerateClientSecret, SetApplicationDisabled, UpdateApplication,
};
use crate::ui::components::call::Call;
use crate::ui::components::copyable::Copyable;
use crate::ui::components::forms::{ActionButton, FormError, InlineReauth, IslandForm};

/// The cards' plain forms (the page makes them; their errors show above the list).
#[derive(Clone, Copy)]
pub(super) struct Actions {
    pub(super) disable: ServerAction<SetApplicationDisabled>,
    pub(super) delete: ServerAction<DeleteApplication>,
    pub(super) update: ServerAction<UpdateApplication>,
}

/// The credentials of the application just registered (or whose secret was just regenerated).
#[component]
pub(super) fn Credentials(made: NewCredentials) -> impl IntoView {
    let NewCredentials { client_id, client_secret } = made;
    view! {
        <div class="notice credentials" role="status">
            <Copyable label="Client ID" value=client_id />
            {client_secret
                .map(|secret| {
                    view! {
                        <Copyable label="Client secret" value=secret />
                        <p>"Store the secret in the application's configuration now: it is shown only this once."</p>
                    }
                })}
        </div>
    }
}

/// "Regenerate secret" behind the password (an island: the new secret is shown once, here).
#[island]
fn RegenerateSecret(slug: String, client_id: String, name: String) -> impl IntoView {
    let action = Call::<RegenerateClientSecret>::new();
    let error = action.error();
    let made = move || action.value().get().and_then(Result::ok).map(|made| view! { <Credentials made /> });
    view! {
        <details class="panel inline-panel">
            <summary class="button small" aria-label=format!("Regenerate secret of {name}")>
                "Regenerate secret"
            </summary>
            <IslandForm action attr:class="inline-form">
                <input type="hidden" name="slug" value=slug />
                <input type="hidden" name="client_id" value=client_id.clone() />
                <InlineReauth id=format!("regen-{client_id}") code_required=false />
                <ActionButton
                    label="Regenerate"
                    pending_label="Regenerating…"
                    pending=action.pending()
                    class="button small danger"
                />
            </IslandForm>
            <FormError error />
        </details>
        {made}
    }
}

#[component]
pub(super) fn ApplicationCard(
    app: Application,
    slug: String,
    org_name: String,
    also_manages: Vec<OrgName>,
    actions: Actions,
) -> impl IntoView {
    let edit =
        view! { <EditApplication app=app.clone() slug=slug.clone() org_name also_manages action=actions.update /> };
    let Application {
        client_id,
        name,
        public,
        redirect_uris,
        require_two_factor,
        id_token_alg,
        resource_server,
        backchannel_logout_uri,
        also_admits,
        disabled,
        created_at,
        recent_sign_ins,
        ..
    } = app;
    let (s1, s2, s3) = (slug.clone(), slug.clone(), slug);
    let regenerate_name = name.clone();
    let toggle_label = format!("{} {name}", if disabled { "Enable" } else { "Disable" });
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
                {resource_server.then(|| view! { <span class="badge">"Resource server"</span> })}
                {disabled.then(|| view! { <span class="badge off">"Disabled"</span> })}
            </header>
            <dl class="details">
                <dt>"Client ID"</dt>
                <dd>
                    <code>{client_id}</code>
                </dd>
                <dt>"Redirect URIs"</dt>
                <dd>{redirect_uris.join(", ")}</dd>
                <dt>"ID token signature"</dt>
                <dd>{id_token_alg.as_str()}</dd>
                {backchannel_logout_uri
                    .map(|uri| {
                        view! {
                            <dt>"Back-channel logout"</dt>
                            <dd>{uri}</dd>
                        }
                    })}
                {(!also_admits.is_empty())
                    .then(|| {
                        let names: Vec<String> = also_admits.into_iter().map(|o| o.name).collect();
                        view! {
                            <dt>"Also admits members of"</dt>
                            <dd>{names.join(", ")}</dd>
                        }
                    })}
                <dt>"Registered"</dt>
                <dd>{format_date(created_at)}</dd>
            </dl>
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
                {edit} <ActionForm action=actions.disable attr:class="inline-form">
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
                        view! { <RegenerateSecret slug=s2.clone() client_id=c2.clone() name=regenerate_name.clone() /> }
                    })} <details class="panel inline-panel">
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
