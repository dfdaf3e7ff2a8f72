//! Showing backup codes: the list, "Download Codes" and copy.

use leptos::prelude::*;

use crate::ui::components::browser::{copy_to_clipboard, today};

/// The text file "Download Codes" saves.
pub fn codes_file(account: &str, codes: &[String]) -> String {
    let mut text = format!("Portcullis backup codes\nAccount: {account}\nGenerated: {}\n\n", today());
    for code in codes {
        text.push_str(code);
        text.push('\n');
    }
    text.push_str("\nEach code logs you in once if you lose your authenticator app. Keep them somewhere safe, apart from your phone.\n");
    text
}

fn data_uri(text: &str) -> String {
    use std::fmt::Write as _;
    let mut uri = String::from("data:text/plain;charset=utf-8,");
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            uri.push(b as char);
        } else {
            let _ = write!(uri, "%{b:02X}");
        }
    }
    uri
}

#[component]
pub fn BackupCodeList(codes: Vec<String>, account: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let file = codes_file(&account, &codes);
    let to_copy = codes.join("\n");
    view! {
        <ol class="backup-codes" aria-label="Backup codes">
            {codes
                .into_iter()
                .map(|c| {
                    view! {
                        <li>
                            <code>{c}</code>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
        <div class="dialog-actions left">
            <a class="button" role="button" href=data_uri(&file) download="portcullis-backup-codes.txt">
                "Download Codes"
            </a>
            <button
                type="button"
                class="button"
                on:click=move |_| {
                    copy_to_clipboard(&to_copy);
                    copied.set(true);
                }
            >
                {move || if copied.get() { "Copied" } else { "Copy codes" }}
            </button>
        </div>
    }
}

/// The last step of setting up a code factor: "Save your backup codes",
/// then "I've Saved my Codes" (`on_save`), the commit that turns it on.
#[component]
pub fn SaveCodesStep(
    codes: Vec<String>,
    account: String,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] error: Signal<Option<crate::error::AppError>>,
    on_save: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H3>::new();
    Effect::new(move |_| {
        if let Some(el) = heading.get() {
            let _ = el.focus();
        }
    });
    view! {
        <h3 node_ref=heading tabindex="-1">
            "Save your backup codes"
        </h3>
        <p>
            "If you lose your phone, each of these codes logs you in once. Keep them somewhere safe: they are your last resort."
        </p>
        <BackupCodeList codes account />
        <crate::ui::components::forms::FormError error />
        <div class="dialog-actions">
            <button type="button" class="button primary" disabled=move || pending.get() on:click=move |_| on_save()>
                {move || if pending.get() { "Enabling…" } else { "I've Saved my Codes" }}
            </button>
        </div>
    }
}

/// The dialog's code field ("Check Code"): focused as its step opens, the
/// check's refusal said beside it.
#[component]
pub fn CheckCodeField(
    id: &'static str,
    label: &'static str,
    #[prop(into)] error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let message = move || error.get().map(|e| e.to_string());
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:invalid=move || message().is_some()>
            <label for=id>{label}</label>
            <input
                id=id
                node_ref=input
                name="code"
                inputmode="numeric"
                autocomplete="one-time-code"
                maxlength="9"
                required=true
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby=error_id.clone()
            />
            <p class="field-error" id=error_id role="alert">
                {message}
            </p>
        </div>
    }
}
