//! A secret or identifier shown with a "Copy" button.

use leptos::prelude::*;

use super::browser::copy_to_clipboard;

/// A labelled value with a "Copy" button that says "Copied" once it has.
#[component]
pub fn Copyable(label: &'static str, value: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = value.clone();
    view! {
        <p>
            <strong>{format!("{label}: ")}</strong>
            <code aria-label=label>{value}</code>
            " "
            <button
                type="button"
                class="button small"
                on:click=move |_| {
                    copy_to_clipboard(&copy);
                    copied.set(true);
                }
            >
                {move || if copied.get() { "Copied" } else { "Copy" }}
            </button>
        </p>
    }
}
