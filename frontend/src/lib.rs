//! The browser entry point. Pages are server-rendered HTML; only the islands
//! (`#[island]` components: the enrollment dialog, the sections that show a
//! secret once, the buttons that show they are working) ship as wasm, and
//! the loader script hydrates each of them after this runs.
// Deeply nested view types need more than the default in release builds.
#![recursion_limit = "256"]

// Links the app crate, whose islands export their hydrate functions to the loader.
extern crate app;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // A marker for end-to-end tests (and curious humans) that the page is interactive:
    // the loader hydrates the islands right after this, in the same task.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
