//! Settings → Authentication: "Require two-factor authentication", with the
//! words of both seeds: the Ango toggle "Enable for all users in
//! organization" with its grace period, and for owners the one button
//! "Require two-factor" / "Stop requiring two-factor". Switching it on needs no
//! re-authentication; switching it off or changing the grace period does.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::model::{format_date, OrgSettings, Role, GRACE_DAYS};
use crate::server_fns::orgs::SetTwoFactorRequirement;
use crate::ui::components::forms::{last_error, Field, FormError, InlineReauth, SubmitButton};

fn grace_label(days: i64) -> String {
    match days {
        0 => "None (immediately)".to_string(),
        1 => "1 day".to_string(),
        d => format!("{d} days"),
    }
}

#[component]
pub fn RequirementSection(settings: OrgSettings, save: ServerAction<SetTwoFactorRequirement>) -> impl IntoView {
    let OrgSettings { org, require_two_factor, grace_days, .. } = settings;
    let owner = (org.my_role == Role::Owner).then(|| org.slug.clone());
    let error = last_error(save);
    // After a plain form post the page comes back with `?saved=two-factor`.
    let query = use_query_map();
    let saved = move || {
        matches!(save.value().get(), Some(Ok(()))) || query.read().get("saved").as_deref() == Some("two-factor")
    };
    view! {
        <section class="card wide" aria-labelledby="auth-title">
            <h2 id="auth-title">"Authentication"</h2>
            <section aria-labelledby="require-title">
                <h3 id="require-title">"Require two-factor authentication"</h3>
                <p class="muted">
                    "Members without two-factor authentication cannot open this organization until they set it up. Every owner, and you, need it first."
                </p>
                {org
                    .two_factor_deadline
                    .map(|d| {
                        view! {
                            <p class="status-on">
                                {format!("Required: members without it are refused from {}.", format_date(d))}
                            </p>
                        }
                    })}
                <ActionForm action=save>
                    <input type="hidden" name="slug" value=org.slug.clone() />
                    <FormError error />
                    <div class="field checkbox">
                        <input
                            id="require"
                            type="checkbox"
                            role="switch"
                            name="require"
                            value="true"
                            checked=require_two_factor
                        />
                        <label for="require">"Enable for all users in organization"</label>
                    </div>
                    <div class="field">
                        <label for="grace">"Grace period"</label>
                        <select id="grace" name="grace_days">
                            {GRACE_DAYS
                                .into_iter()
                                .map(|d| {
                                    view! {
                                        <option value=d selected=d == grace_days>
                                            {grace_label(d)}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    {match org.my_role {
                        Role::Owner => {
                            view! {
                                <fieldset class="reauth">
                                    <legend>"Confirm it is you"</legend>
                                    <p class="muted">
                                        "Needed to switch the requirement off or change its grace period once it is on; switching it on needs neither."
                                    </p>
                                    <Field
                                        label="Your password"
                                        name="password"
                                        kind="password"
                                        autocomplete="current-password"
                                        required=false
                                        error
                                    />
                                    <Field
                                        label="Authentication code"
                                        name="code"
                                        autocomplete="one-time-code"
                                        required=false
                                        hint="The 6-digit code your authenticator app shows now."
                                        error
                                    />
                                </fieldset>
                            }
                                .into_any()
                        }
                        _ => {
                            view! {
                                <p class="muted">
                                    "Only owners can switch the requirement off or change its grace period once it is on."
                                </p>
                            }
                                .into_any()
                        }
                    }}
                    <SubmitButton label="Save" pending_label="Saving…" />
                    <p class="success" role="status">
                        {move || saved().then_some("Saved.")}
                    </p>
                </ActionForm>
                {owner.map(|slug| view! { <OneButton slug require_two_factor grace_days save /> })}
            </section>
        </section>
    }
}

/// The Terraform-Cloud-style seed's control: one button for owners.
#[component]
fn OneButton(
    slug: String,
    require_two_factor: bool,
    grace_days: i64,
    save: ServerAction<SetTwoFactorRequirement>,
) -> impl IntoView {
    let form = if require_two_factor {
        view! {
            <ActionForm action=save attr:class="inline-form">
                <input type="hidden" name="slug" value=slug />
                <input type="hidden" name="grace_days" value=grace_days />
                <InlineReauth id="stop-requiring".to_string() code_required=false />
                <SubmitButton label="Stop requiring two-factor" pending_label="Saving…" class="button danger" />
            </ActionForm>
        }
        .into_any()
    } else {
        view! {
            <ActionForm action=save attr:class="inline-form">
                <input type="hidden" name="slug" value=slug />
                <input type="hidden" name="require" value="true" />
                <input type="hidden" name="grace_days" value=grace_days />
                <SubmitButton label="Require two-factor" pending_label="Saving…" />
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <div class="one-button">
            <p class="muted">
                "Or in one step. Please remember that all organization owners must have two-factor authentication on before this can be set."
            </p>
            {form}
        </div>
    }
}
