use leptos::prelude::*;
use leptos_meta::Title;

use super::RequireUser;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <Title text="Account"/>
        <RequireUser children=|user| view! {
            <section class="card">
                <h1>"Account"</h1>
                <dl class="details">
                    <dt>"Name"</dt><dd>{user.name}</dd>
                    <dt>"Email"</dt><dd>{user.email}</dd>
                </dl>
            </section>
        }/>
    }
}
