//! "Edit" on an application's card: a plain form (it works before the
//! wasm and without JavaScript), filled with what is registered now. Public
//! or confidential is fixed at registration; everything else may change.

use leptos::prelude::*;

use crate::applications::{Application, OrgName, SigningAlg};
use crate::server_fns::applications::UpdateApplication;

pub(super) const BACKCHANNEL_HINT: &str = "Optional. Portcullis posts a logout token here when someone signs out, \
                                           is reset, or revokes the application.";

pub(super) const SERVICE_LABEL: &str =
    "Service (a CI job, a daemon): may get tokens of its own with the client credentials grant";

/// The ID token algorithm's choice, as a select (shared with the registration form).
#[component]
pub(super) fn SigningAlgSelect(id: String, selected: SigningAlg) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    view! {
        <div class="field">
            <label for=id.clone()>"ID token signature"</label>
            <select id=id name="id_token_alg" aria-describedby=hint_id.clone()>
                <option value="RS256" selected=selected == SigningAlg::Rs256>
                    "RS256 (RSA, what most applications expect)"
                </option>
                <option value="ES256" selected=selected == SigningAlg::Es256>
                    "ES256 (ECDSA P-256)"
                </option>
            </select>
            <p class="hint" id=hint_id>
                "The application's id_token_signed_response_alg. Both keys are in the JWKS."
            </p>
        </div>
    }
}

/// The refresh token lives a client may choose, longest (the default) first.
const REFRESH_LIVES: [(i64, &str); 5] = [
    (30 * 86_400, "30 days (the default)"),
    (7 * 86_400, "7 days"),
    (86_400, "1 day"),
    (8 * 3600, "8 hours"),
    (3600, "1 hour"),
];

#[component]
fn RefreshLifeSelect(id: String, chosen: Option<i64>) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let chosen = chosen.unwrap_or(REFRESH_LIVES[0].0);
    // A life set at the command line that the list lacks stays as it is.
    let other = (!REFRESH_LIVES.iter().any(|(secs, _)| *secs == chosen)).then(|| {
        view! {
            <option value=chosen.to_string() selected=true>
                {format!("{chosen} seconds (set at the command line)")}
            </option>
        }
    });
    view! {
        <div class="field">
            <label for=id.clone()>"Refresh tokens last"</label>
            <select id=id name="refresh_token_secs" aria-describedby=hint_id.clone()>
                {REFRESH_LIVES
                    .into_iter()
                    .map(|(secs, words)| {
                        view! {
                            <option value=secs.to_string() selected=secs == chosen>
                                {words}
                            </option>
                        }
                    })
                    .collect_view()}
                {other}
            </select>
            <p class="hint" id=hint_id>
                "Unused this long, a refresh token expires and the person signs in again. Each refresh gives a new one."
            </p>
        </div>
    }
}

/// Whose members may sign in: the organization's own always, and the other
/// organizations the manager manages (or that it admits already), as checkboxes.
#[component]
fn AdmittedOrgs(id: String, own: String, admitted: Vec<OrgName>, also_manages: Vec<OrgName>) -> impl IntoView {
    let mut choices: Vec<(OrgName, bool)> = admitted.into_iter().map(|o| (o, true)).collect();
    for org in also_manages {
        if !choices.iter().any(|(o, _)| o.slug == org.slug) {
            choices.push((org, false));
        }
    }
    let hint_id = format!("{id}-hint");
    let own_id = format!("{id}-own");
    let described_by = hint_id.clone();
    view! {
        <fieldset class="method-choice" aria-describedby=described_by>
            <legend>"Who may sign in"</legend>
            <div class="field checkbox">
                <input id=own_id.clone() type="checkbox" checked=true disabled=true />
                <label for=own_id>{format!("Members of {own}")}</label>
            </div>
            {choices
                .into_iter()
                .enumerate()
                .map(|(i, (org, checked))| {
                    let box_id = format!("{id}-{i}");
                    view! {
                        <div class="field checkbox">
                            <input
                                id=box_id.clone()
                                type="checkbox"
                                name="also_admit[]"
                                value=org.slug
                                checked=checked
                            />
                            <label for=box_id>{format!("Members of {}", org.name)}</label>
                        </div>
                    }
                })
                .collect_view()}
            <p class="hint" id=hint_id>
                "You can add the organizations you manage. Each one's two-factor rules apply to its members."
            </p>
        </fieldset>
    }
}

#[component]
pub(super) fn EditApplication(
    app: Application,
    slug: String,
    org_name: String,
    also_manages: Vec<OrgName>,
    action: ServerAction<UpdateApplication>,
) -> impl IntoView {
    let Application {
        client_id,
        name,
        public,
        redirect_uris,
        post_logout_redirect_uris,
        backchannel_logout_uri,
        require_two_factor,
        id_token_alg,
        resource_server,
        service,
        refresh_token_secs,
        also_admits,
        ..
    } = app;
    let id = |field: &str| format!("edit-{client_id}-{field}");
    let summary_label = format!("Edit {name}");
    let (name_id, uris_id, logout_id, backchannel_id, alg_id, two_factor_id, api_id) =
        (id("name"), id("uris"), id("logout"), id("backchannel"), id("alg"), id("2fa"), id("api"));
    let backchannel_hint = format!("{backchannel_id}-hint");
    let api_for = api_id.clone();
    let (service_id, service_for) = (id("service"), id("service"));
    let (refresh_id, orgs_id) = (id("refresh"), id("orgs"));
    view! {
        <details class="panel inline-panel edit-app">
            <summary class="button small" aria-label=summary_label>
                "Edit"
            </summary>
            <ActionForm action attr:class="stacked-form">
                <input type="hidden" name="slug" value=slug />
                <input type="hidden" name="client_id" value=client_id.clone() />
                <div class="field">
                    <label for=name_id.clone()>"Name"</label>
                    <input id=name_id name="name" value=name required />
                </div>
                <div class="field">
                    <label for=uris_id.clone()>"Redirect URIs"</label>
                    <textarea id=uris_id name="redirect_uris" rows="2" required>
                        {redirect_uris.join("\n")}
                    </textarea>
                </div>
                <div class="field">
                    <label for=logout_id.clone()>"Post-logout redirect URIs"</label>
                    <textarea id=logout_id name="post_logout_redirect_uris" rows="2">
                        {post_logout_redirect_uris.join("\n")}
                    </textarea>
                </div>
                <div class="field">
                    <label for=backchannel_id.clone()>"Back-channel logout URI"</label>
                    <input
                        id=backchannel_id
                        name="backchannel_logout_uri"
                        type="url"
                        value=backchannel_logout_uri.unwrap_or_default()
                        aria-describedby=backchannel_hint.clone()
                    />
                    <p class="hint" id=backchannel_hint>
                        {BACKCHANNEL_HINT}
                    </p>
                </div>
                <SigningAlgSelect id=alg_id selected=id_token_alg />
                <RefreshLifeSelect id=refresh_id chosen=refresh_token_secs />
                <AdmittedOrgs id=orgs_id own=org_name admitted=also_admits also_manages />
                <div class="field checkbox">
                    <input
                        id=two_factor_id.clone()
                        type="checkbox"
                        name="require_two_factor"
                        value="true"
                        checked=require_two_factor
                    />
                    <label for=two_factor_id>"Require two-factor authentication for this application"</label>
                </div>
                {(!public)
                    .then(|| {
                        view! {
                            <div class="field checkbox">
                                <input
                                    id=api_id
                                    type="checkbox"
                                    name="resource_server"
                                    value="true"
                                    checked=resource_server
                                />
                                <label for=api_for>
                                    "Resource server: may introspect the tokens of this organization's applications"
                                </label>
                            </div>
                            <div class="field checkbox">
                                <input id=service_id type="checkbox" name="service" value="true" checked=service />
                                <label for=service_for>{SERVICE_LABEL}</label>
                            </div>
                        }
                    })}
                <button type="submit" class="button small primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Saving…" } else { "Save" }}
                </button>
            </ActionForm>
        </details>
    }
}
