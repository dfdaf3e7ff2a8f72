//! The few browser calls the islands make; no-ops when rendering on the server.

/// Copies text to the clipboard.
pub fn copy_to_clipboard(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = leptos::web_sys::window() {
        let _ = window.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// Loads the page again from the server: after a change that other parts of
/// the (server-rendered) page show, such as turning 2FA on.
pub fn reload_page() {
    #[cfg(feature = "hydrate")]
    if let Some(window) = leptos::web_sys::window() {
        let _ = window.location().reload();
    }
}

/// Today's date as the page shows dates, in the browser's clock.
pub fn today() -> String {
    #[cfg(feature = "hydrate")]
    {
        crate::model::format_date((js_sys::Date::now() / 1000.0) as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}
