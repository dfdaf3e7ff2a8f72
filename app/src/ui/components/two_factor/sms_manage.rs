//! Text messages once set up: "Remove" (the password and a second factor)
//! and "Preferred method" where the account has the app as well. Plain forms
//! outside the Two-Factor island: they work before hydration and without
//! JavaScript, and they add nothing to the browser's bundle. "Change number"
//! opens the dialog, so it stays in the island.

use leptos::prelude::*;

use crate::model::TwoFactorStatus;
use crate::server_fns::sms::{RemoveSms, SetPreferredMethod};
use crate::ui::components::forms::{last_error, Field, FormError, SubmitButton};

#[component]
pub fn TextMessagesSection(status: TwoFactorStatus) -> impl IntoView {
    let remove = ServerAction::<RemoveSms>::new();
    let prefer = ServerAction::<SetPreferredMethod>::new();
    let remove_error = last_error(remove);
    let prefer_error = last_error(prefer);
    let phone = status.sms.clone().unwrap_or_default();
    let hint = if status.authenticator_app {
        "A code from your authenticator app, or a backup code."
    } else {
        "One of your backup codes."
    };
    let preferred = status.authenticator_app.then(|| {
        let sms_first = status.preferred.as_deref() == Some("sms");
        let (method, label, now) = if sms_first {
            ("authenticator_app", "Ask for the app's code first", "text message")
        } else {
            ("sms", "Text me a code first", "authenticator app")
        };
        view! {
            <ActionForm action=prefer attr:class="inline-form">
                <p>{format!("Preferred method at sign-in: {now}.")}</p>
                <input type="hidden" name="method" value=method />
                <FormError error=prefer_error />
                <SubmitButton label pending_label="Saving…" class="button small" />
            </ActionForm>
        }
    });
    view! {
        <section class="card" aria-labelledby="sms-title">
            <h2 id="sms-title">"Text messages"</h2>
            <p>{format!("Sign-in codes are texted to {phone}.")}</p>
            {preferred}
            <details class="panel" open=move || remove_error.get().is_some()>
                <summary class="button danger">"Remove"</summary>
                <p class="muted">"Codes are no longer texted to this number; your other sessions end."</p>
                <ActionForm action=remove>
                    <FormError error=remove_error />
                    <Field
                        label="Password"
                        name="password"
                        id="remove-sms-password"
                        kind="password"
                        autocomplete="current-password"
                        error=remove_error
                    />
                    <Field
                        label="Authentication code"
                        name="code"
                        id="remove-sms-code"
                        autocomplete="one-time-code"
                        hint
                        error=remove_error
                    />
                    <SubmitButton label="Remove text messages" pending_label="Removing…" class="button danger" />
                </ActionForm>
            </details>
        </section>
    }
}
