//! A plain form that comes back with an error (`?__path=`, a fresh page from the
//! server) would lose what the person typed: the submit button keeps the form's
//! visible fields in the tab's session storage when it is sent, and puts them
//! back when the page that answers names this form's server function as failed.
//! Passwords, codes typed into password fields and hidden inputs are never kept.

use leptos::wasm_bindgen::JsCast;
use leptos::web_sys::{Element, HtmlFormElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

/// One key per form: its server function and its hidden inputs (which row it belongs to).
fn storage_key(form: &HtmlFormElement) -> Option<String> {
    let mut key = format!("portcullis-form:{}", action_path(form)?);
    for input in fields(form).iter().filter_map(|el| el.dyn_ref::<HtmlInputElement>()) {
        if input.type_() == "hidden" {
            key.extend(["|", &input.name(), "=", &input.value()]);
        }
    }
    Some(key)
}

fn action_path(form: &HtmlFormElement) -> Option<String> {
    leptos::web_sys::Url::new(&form.action()).ok().map(|url| url.pathname())
}

fn fields(form: &HtmlFormElement) -> Vec<Element> {
    let all = form.elements();
    (0..all.length()).filter_map(|i| all.item(i)).collect()
}

fn storage() -> Option<leptos::web_sys::Storage> {
    leptos::prelude::window().session_storage().ok().flatten()
}

/// A field's name in the kept record (its id, else its name) and whether it is kept at all.
fn field_id(el: &Element) -> Option<String> {
    if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
        if matches!(input.type_().as_str(), "password" | "hidden" | "file" | "submit" | "button") {
            return None;
        }
    }
    let id = el.id();
    let name = el.get_attribute("name").unwrap_or_default();
    let key = if id.is_empty() { name } else { id };
    (!key.is_empty()).then_some(key)
}

/// Keeps the form's visible fields as they are sent.
pub fn keep(form: &HtmlFormElement) {
    let (Some(key), Some(storage)) = (storage_key(form), storage()) else { return };
    let record = js_sys::Object::new();
    for el in fields(form) {
        let Some(id) = field_id(&el) else { continue };
        let value = if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
            if matches!(input.type_().as_str(), "checkbox" | "radio") {
                input.checked().into()
            } else {
                input.value().into()
            }
        } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
            select.value().into()
        } else if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
            area.value().into()
        } else {
            continue;
        };
        let _ = js_sys::Reflect::set(&record, &id.into(), &value);
    }
    if let Ok(json) = js_sys::JSON::stringify(&record) {
        let _ = storage.set_item(&key, &String::from(json));
    }
}

/// Puts the kept fields back when this page answers the form's failed post; forgets them otherwise.
pub fn restore(form: &HtmlFormElement) {
    let (Some(key), Some(storage), Some(path)) = (storage_key(form), storage(), action_path(form)) else { return };
    let kept = storage.get_item(&key).ok().flatten();
    let _ = storage.remove_item(&key);
    let search = leptos::prelude::window().location().search().unwrap_or_default();
    let failed = leptos::web_sys::UrlSearchParams::new_with_str(&search)
        .ok()
        // The error itself came in the flash cookie (never in the URL); `__path` names the form that failed.
        .is_some_and(|q| q.get("__path").as_deref() == Some(path.as_str()));
    let Some(record) = kept.filter(|_| failed).and_then(|json| js_sys::JSON::parse(&json).ok()) else { return };
    for el in fields(form) {
        let Some(id) = field_id(&el) else { continue };
        let Ok(value) = js_sys::Reflect::get(&record, &id.into()) else { continue };
        if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
            if let Some(checked) = value.as_bool() {
                input.set_checked(checked);
            } else if let Some(text) = value.as_string() {
                input.set_value(&text);
            }
        } else if let (Some(select), Some(text)) = (el.dyn_ref::<HtmlSelectElement>(), value.as_string()) {
            select.set_value(&text);
        } else if let (Some(area), Some(text)) = (el.dyn_ref::<HtmlTextAreaElement>(), value.as_string()) {
            area.set_value(&text);
        }
    }
}
