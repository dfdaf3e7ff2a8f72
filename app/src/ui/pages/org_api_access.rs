//! The Settings tab's "Allow personal access tokens and application
//! passwords for this organization's data": owners switch it; admins see it.

use leptos::prelude::*;

use crate::server_fns::tokens::SetApiAccess;
use crate::ui::components::forms::{last_error, FormError, SubmitButton, Switch};

#[component]
pub fn ApiAccessSection(slug: String, owner: bool, allowed: bool, action: ServerAction<SetApiAccess>) -> impl IntoView {
    let error = last_error(action);
    // After a plain form post the page comes back with `?saved=api-access`.
    let query = leptos_router::hooks::use_query_map();
    let saved = move || {
        matches!(action.value().get(), Some(Ok(()))) || query.read().get("saved").as_deref() == Some("api-access")
    };
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
                        <Switch id="allow-api" name="allow" checked=allowed label=label />
                        <SubmitButton label="Update API access" pending_label="Saving…" />
                        <p class="success" role="status">
                            {move || saved().then_some("Saved.")}
                        </p>
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
