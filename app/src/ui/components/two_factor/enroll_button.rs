use leptos::prelude::*;

use crate::ui::components::call::Call;

use super::enroll_dialog::{EnrollDialog, Offer};
use crate::server_fns::twofactor::FinishEnrollment;
use crate::ui::components::browser::reload_page;

/// A button that opens the enrollment dialog, for pages that ask for 2FA (an
/// organization or an application that requires it). Once 2FA is on, the
/// page loads again and the person continues where they were going.
#[island]
pub fn EnrollButton(account: String) -> impl IntoView {
    let open = RwSignal::new(false);
    let finish = Call::<FinishEnrollment>::new();
    Effect::new(move |_| {
        if matches!(finish.value().get(), Some(Ok(()))) {
            reload_page("");
        }
    });
    view! {
        <button type="button" class="button primary" on:click=move |_| open.set(true)>
            "Set up two-factor authentication"
        </button>
        <Show when=move || open.get()>
            <EnrollDialog account=account.clone() finish offer=Offer::APP on_close=move || open.set(false) />
        </Show>
    }
}
