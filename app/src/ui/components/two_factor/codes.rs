//! Showing backup codes: the list, "Download Codes" and copy.

use leptos::prelude::*;

/// Copies text to the clipboard (browser only).
pub fn copy_to_clipboard(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = leptos::web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

fn today() -> String {
    #[cfg(feature = "hydrate")]
    {
        crate::model::format_date((js_sys::Date::now() / 1000.0) as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

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
