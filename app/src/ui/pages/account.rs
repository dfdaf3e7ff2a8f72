use leptos::prelude::*;
use leptos_meta::Title;

use super::signed_in_user;
use crate::ui::auth::Auth;
use crate::ui::components::two_factor::{TwoFactorSection, TwoFactorState};

#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let two_factor = TwoFactorState::new();
    view! {
        <Title text="Account"/>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let user = match signed_in_user(auth).await {
                    Ok(user) => user,
                    Err(view) => return view,
                };
                let status = two_factor.status.await;
                view! {
                    <div class="stack">
                        <section class="card">
                            <h1>"Account"</h1>
                            <dl class="details">
                                <dt>"Name"</dt><dd>{user.name.clone()}</dd>
                                <dt>"Email"</dt><dd>{user.email.clone()}</dd>
                            </dl>
                        </section>
                        <TwoFactorSection user status state=two_factor/>
                    </div>
                }.into_any()
            })}
        </Transition>
    }
}
