use leptos::prelude::*;
use leptos_meta::Title;

use super::RequireUser;
use crate::server_fns::orgs::CreateOrg;
use crate::ui::components::forms::{last_error, Field, FormError, SubmitButton};

#[component]
pub fn NewOrgPage() -> impl IntoView {
    let action = ServerAction::<CreateOrg>::new();
    let error = last_error(action);
    view! {
        <Title text="New organization" />
        <RequireUser children=move |_| {
            view! {
                <section class="card narrow">
                    <h1>"Create an organization"</h1>
                    <ActionForm action=action>
                        <FormError error />
                        <Field label="Name" name="name" autocomplete="organization" error />
                        <Field
                            label="Address"
                            name="slug"
                            required=false
                            placeholder="acme-corp"
                            hint="Lowercase letters, digits and hyphens; used in links. Left empty, it is made from the name."
                            error
                        />
                        <SubmitButton label="Create organization" pending_label="Creating…" />
                    </ActionForm>
                </section>
            }
        } />
    }
}
