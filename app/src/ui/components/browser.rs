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
/// the (server-rendered) page show, such as turning 2FA on. Through
/// public/navigate.js where it runs (no document load; focus goes to `focus`),
/// else a plain reload.
pub fn reload_page(focus: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = leptos::web_sys::window() {
        use leptos::wasm_bindgen::JsCast;
        let visit = js_sys::Reflect::get(&window, &"portcullisVisit".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
        let href = window.location().href().unwrap_or_default();
        let visited = visit.is_some_and(|visit| visit.call2(&window, &href.into(), &focus.into()).is_ok());
        if !visited {
            let _ = window.location().reload();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = focus;
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

/// Tab and Shift+Tab wrap around inside `container` (a modal dialog), so focus
/// never leaves it for the browser's own controls.
pub fn keep_tab_inside(ev: &leptos::ev::KeyboardEvent, container: Option<leptos::web_sys::HtmlElement>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        if ev.key() != "Tab" {
            return;
        }
        let Some(container) = container else { return };
        let Ok(all) = container.query_selector_all(
            "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), \
             textarea:not([disabled]), [tabindex]:not([tabindex='-1'])",
        ) else {
            return;
        };
        let items: Vec<leptos::web_sys::HtmlElement> =
            (0..all.length()).filter_map(|i| all.item(i)).filter_map(|n| n.dyn_into().ok()).collect();
        let (Some(first), Some(last)) = (items.first(), items.last()) else { return };
        let active = leptos::prelude::document().active_element();
        let at = |el: &leptos::web_sys::HtmlElement| {
            active.as_ref().is_some_and(|a| a == el.unchecked_ref::<leptos::web_sys::Element>())
        };
        let outside = active.as_ref().is_none_or(|a| !container.contains(Some(a)));
        if ev.shift_key() && (at(first) || outside) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && (at(last) || outside) {
            ev.prevent_default();
            let _ = first.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, container);
}
