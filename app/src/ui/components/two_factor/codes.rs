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
