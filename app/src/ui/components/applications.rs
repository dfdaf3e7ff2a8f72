//! The Account page's "Applications you signed in to", with "Revoke", and
//! the card the sign-in and log-out pages show when they cannot go on.

use leptos::prelude::*;

use crate::applications::{scope_description, AllowedApplication};
use crate::error::AppError;
use crate::model::format_date;
use crate::server_fns::applications::RevokeApplication;
use crate::ui::components::forms::{last_error, FormError};

#[component]
pub fn AllowedApplications(apps: Vec<AllowedApplication>, revoke: ServerAction<RevokeApplication>) -> impl IntoView {
    let error = last_error(revoke);
    view! {
        <section class="card" aria-labelledby="apps-title">
            <h2 id="apps-title">"Applications you signed in to"</h2>
            <FormError error />
            {if apps.is_empty() {
                view! {
                    <p class="empty">
                        "None yet. Applications you allow to sign you in with Portcullis are listed here."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <ul class="allowed-apps">
                        {apps
                            .into_iter()
                            .map(|a| {
                                let what: Vec<&str> = a.scopes.iter().filter_map(|s| scope_description(s)).collect();
                                view! {
                                    <li>
                                        <p>
                                            <strong>{a.name.clone()}</strong>
                                            {format!(" ({}), allowed on {}", a.org_name, format_date(a.granted_at))}
                                        </p>
                                        <p class="muted">{what.join("; ")}</p>
                                        <ActionForm action=revoke attr:class="inline-form">
                                            <input type="hidden" name="client_id" value=a.client_id />
                                            <button
                                                type="submit"
                                                class="button small danger"
                                                aria-label=format!("Revoke {}", a.name)
                                                disabled=move || revoke.pending().get()
                                            >
                                                "Revoke"
                                            </button>
                                        </ActionForm>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </section>
    }
}

/// Why an application's sign-in or log-out stops here, answered with the
/// error's own status (a 400 for a bad request, not a 200 page).
#[component]
pub fn CannotContinue(title: &'static str, error: AppError) -> impl IntoView {
    set_status(error.status());
    view! {
        <section class="card narrow">
            <h1>{title}</h1>
            <p role="alert">{error.to_string()}</p>
            <a class="button" href="/">
                "Go to Portcullis"
            </a>
        </section>
    }
}

/// The HTTP status of the page being rendered on the server.
pub fn set_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(res), Ok(status)) = (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(status))
    {
        res.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}
