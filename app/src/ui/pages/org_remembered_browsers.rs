//! The Settings tab's "Remembered browsers": whether members may skip the
//! code on a browser they chose to remember. Owners and admins forbid it;
//! only owners allow it again.

use leptos::prelude::*;

use crate::server_fns::orgs::SetRememberedBrowsers;
use crate::ui::components::forms::{last_error, FormError, SubmitButton};

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
                        <div class="field checkbox">
                            <input
                                id="allow-remembered"
                                type="checkbox"
                                role="switch"
                                name="allow"
                                value="true"
                                checked=allowed
                                disabled=!owner && !allowed
                            />
                            <label for="allow-remembered">{label}</label>
                        </div>
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
