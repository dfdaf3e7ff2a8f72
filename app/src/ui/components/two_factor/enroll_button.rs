use leptos::prelude::*;

use super::enroll_dialog::EnrollDialog;
use crate::api::twofactor::FinishEnrollment;

/// A button that opens the enrollment dialog, for pages that ask for 2FA
/// (an organization that requires it). `finish` lets the page reload itself.
#[component]
pub fn EnrollButton(account: String, finish: ServerAction<FinishEnrollment>) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button type="button" class="button primary" on:click=move |_| open.set(true)>
            "Set up two-factor authentication"
        </button>
        <Show when=move || open.get()>
            <EnrollDialog account=account.clone() finish on_close=move || open.set(false) />
        </Show>
    }
}
