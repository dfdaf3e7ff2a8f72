//! Form building blocks: labelled fields with their own error text, a
//! form-level error, and a submit button that shows it is working.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::de::DeserializeOwned;

use crate::error::AppError;
use crate::ui::components::call::Call;

/// The error of the last run of an action, if it failed.
pub fn last_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// An island's form: posts to the server function without JavaScript, and
/// with it sends its fields through the island's `Call` (no page load).
#[component]
pub fn IslandForm<S, V>(action: Call<S>, children: TypedChildren<V>) -> impl IntoView
where
    S: ServerFn + 'static,
    S::Output: DeserializeOwned + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        {
            use leptos::wasm_bindgen::JsCast;
            if let Some(form) = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::HtmlFormElement>().ok()) {
                action.send_form(&form);
            }
        }
    };
    let url = Call::<S>::url();
    #[cfg(not(feature = "hydrate"))]
    let _ = action;
    view! {
        <form action=url method="post" on:submit=on_submit>
            {children.into_inner()()}
        </form>
    }
}

#[component]
pub fn Field(
    /// The visible label.
    label: &'static str,
    /// The input's name, which is also the server function argument.
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(default = true)] required: bool,
    #[prop(optional)] minlength: Option<u32>,
    /// The input's id, when one page has several forms with this field name.
    #[prop(optional)]
    id: Option<&'static str>,
    /// The form's last error: shown here when it names this field.
    #[prop(into)]
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = id.map(str::to_string).unwrap_or_else(|| format!("field-{name}"));
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let message = move || error.get().and_then(|e| e.field_message(name));
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:invalid=move || message().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                placeholder=placeholder
                required=required
                minlength=minlength
                aria-invalid=move || message().is_some().then_some("true")
                aria-describedby=described_by
            />
            {hint
                .map(|h| {
                    view! {
                        <p class="hint" id=hint_id.clone()>
                            {h}
                        </p>
                    }
                })}
            <p class="field-error" id=error_id role="alert">
                {message}
            </p>
        </div>
    }
}

/// Errors that belong to no single field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let message = move || error.get().filter(|e| !matches!(e, AppError::Validation { .. })).map(|e| e.to_string());
    view! {
        <p class="form-error" role="alert" class:hidden=move || message().is_none()>
            {message}
        </p>
    }
}

/// What a page shows in place of something it could not load.
#[component]
pub fn LoadError(error: AppError) -> impl IntoView {
    view! {
        <p class="form-error" role="alert">
            {error.to_string()}
        </p>
    }
}

/// The submit button of a form inside an island, whose action says when it is working.
#[component]
pub fn ActionButton(
    label: &'static str,
    pending_label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    #[prop(default = "button primary")] class: &'static str,
) -> impl IntoView {
    view! {
        <button type="submit" class=class disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
            <span class="spinner" aria-hidden="true" class:hidden=move || !pending.get()></span>
            {move || if pending.get() { pending_label } else { label }}
        </button>
    }
}

/// The submit button of a plain form (server-rendered, posting to a server
/// function): an island of its own that shows it is working from the moment its
/// form is sent until the next page arrives, and keeps what was typed when that
/// page comes back with an error (`kept_form`). Without JavaScript it is a plain button.
#[island]
pub fn SubmitButton(
    #[prop(into)] label: String,
    #[prop(into)] pending_label: String,
    /// "button primary" unless given.
    #[prop(optional, into)]
    class: Option<String>,
) -> impl IntoView {
    let class = class.unwrap_or_else(|| "button primary".to_string());
    let button = NodeRef::<leptos::html::Button>::new();
    let pending = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        use leptos::wasm_bindgen::{closure::Closure, JsCast};
        let Some(form) = button.get().and_then(|b| b.form()) else { return };
        super::kept_form::restore(&form);
        let sent = form.clone();
        let on_submit = Closure::<dyn Fn(leptos::web_sys::Event)>::new(move |ev: leptos::web_sys::Event| {
            if !ev.default_prevented() {
                super::kept_form::keep(&sent);
                pending.set(true);
            }
        });
        let _ = form.add_event_listener_with_callback("submit", on_submit.as_ref().unchecked_ref());
        on_submit.forget();
        // Back to this page from the next one (the back/forward cache): ready again.
        let on_show = Closure::<dyn Fn()>::new(move || pending.set(false));
        let _ =
            leptos::prelude::window().add_event_listener_with_callback("pageshow", on_show.as_ref().unchecked_ref());
        on_show.forget();
    });
    view! {
        <button
            type="submit"
            node_ref=button
            class=class
            disabled=move || pending.get()
            aria-busy=move || pending.get().to_string()
        >
            <span class="spinner" aria-hidden="true" class:hidden=move || !pending.get()></span>
            {move || if pending.get() { pending_label.clone() } else { label.clone() }}
        </button>
    }
}

/// "Your password" and "Your authentication code" in a compact inline form
/// (labels for screen readers only): the re-authentication a sensitive
/// action asks for. `id` keeps the inputs' ids unique on a page of rows.
#[component]
pub fn InlineReauth(id: String, code_required: bool) -> impl IntoView {
    let (password_id, code_id) = (format!("{id}-password"), format!("{id}-code"));
    view! {
        <label class="visually-hidden" for=password_id.clone()>
            "Your password"
        </label>
        <input
            id=password_id
            type="password"
            name="password"
            placeholder="Your password"
            autocomplete="current-password"
            required=true
        />
        <label class="visually-hidden" for=code_id.clone()>
            "Your authentication code"
        </label>
        <input
            id=code_id
            type="text"
            name="code"
            placeholder=if code_required { "Your 6-digit code" } else { "Code (if you use 2FA)" }
            inputmode="numeric"
            autocomplete="one-time-code"
            required=code_required
        />
    }
}

/// An on/off setting in a form: a checkbox with the switch role, posted as
/// `name=true` when on (absent when off, so the server's default `false`).
#[component]
pub fn Switch(
    id: &'static str,
    name: &'static str,
    checked: bool,
    #[prop(into)] label: String,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    view! {
        <div class="field checkbox">
            <input id=id type="checkbox" role="switch" name=name value="true" checked=checked disabled=disabled />
            <label for=id>{label}</label>
        </div>
    }
}
