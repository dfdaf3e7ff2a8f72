//! The Settings tab's "Allow personal access tokens and application
//! passwords for this organization's data": owners switch it; admins see it.

use leptos::prelude::*;

use crate::api::tokens::SetApiAccess;
use crate::ui::components::forms::{last_error, FormError, SubmitButton};

#[component]
pub fn ApiAccessSection(slug: String, owner: bool, allowed: bool, action: ServerAction<SetApiAccess>) -> impl IntoView {
    let error = last_error(action);
    let label = "Allow personal access tokens and application passwords for this organization's data";
    view! {
        <section class="card wide" aria-labelledby="api-access-title">
            <h2 id="api-access-title">"API access"</h2>
            <p class="muted">
                "When off, scripts using members' personal access tokens or application passwords get 403 on this \
                 organization's API routes."
            </p>
            {if owner {
                view! {
                    <ActionForm action>
                        <input type="hidden" name="slug" value=slug />
                        <FormError error />
                        <div class="field checkbox">
                            <input
                                id="allow-api"
                                type="checkbox"
                                role="switch"
                                name="allow"
                                value="true"
                                checked=allowed
                            />
                            <label for="allow-api">{label}</label>
                        </div>
                        <SubmitButton label="Update API access" pending_label="Saving…" pending=action.pending() />
                    </ActionForm>
                }
                    .into_any()
            } else {
                view! {
                    <p>{format!("{label}: {}. Only owners can change it.", if allowed { "on" } else { "off" })}</p>
                }
                    .into_any()
            }}
        </section>
    }
}
