//! The end-session page (OIDC RP-initiated logout): an application asks to
//! log the user out; the user confirms with "Log out" (a GET never ends a
//! session), then goes back to the application if it registered where.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::server_fns::applications::{load_logout, EndSession};
use crate::ui::components::applications::CannotContinue;
use crate::ui::components::forms::{last_error, FormError, SubmitButton};

#[component]
pub fn LogoutPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &str| query.read().get(name).unwrap_or_default();
    let params =
        move || (param("id_token_hint"), param("client_id"), param("post_logout_redirect_uri"), param("state"));
    let end = ServerAction::<EndSession>::new();
    let prompt = Resource::new(params, |(hint, client, uri, state)| load_logout(hint, client, uri, state));
    let error = last_error(end);
    view! {
        <Title text="Log out" />
        <Transition fallback=|| {
            view! { <p class="loading">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let (hint, client, uri, state) = params();
                match prompt.await {
                    Ok(p) if p.signed_in => {
                        view! {
                            <section class="card narrow">
                                <h1>"Log out of Portcullis?"</h1>
                                <p>
                                    {match &p.app {
                                        Some(app) => format!("{app} asks to log you out of Portcullis as well."),
                                        None => "An application asks to log you out of Portcullis.".to_string(),
                                    }}
                                </p>
                                <FormError error />
                                <div class="actions">
                                    <ActionForm action=end attr:class="inline-form">
                                        <input type="hidden" name="id_token_hint" value=hint />
                                        <input type="hidden" name="client_id" value=client />
                                        <input type="hidden" name="post_logout_redirect_uri" value=uri />
                                        <input type="hidden" name="state" value=state />
                                        <SubmitButton label="Log out" pending_label="Logging out…" />
                                    </ActionForm>
                                    <a
                                        class="button"
                                        href=p.back.clone().unwrap_or_else(|| "/".to_string())
                                        rel="external"
                                    >
                                        "Stay logged in"
                                    </a>
                                </div>
                            </section>
                        }
                            .into_any()
                    }
                    Ok(p) => {
                        view! {
                            <section class="card narrow">
                                <h1>"You are logged out"</h1>
                                {p
                                    .back
                                    .map(|back| {
                                        view! {
                                            <a class="button primary" href=back rel="external">
                                                {format!(
                                                    "Return to {}",
                                                    p.app.unwrap_or_else(|| "the application".into()),
                                                )}
                                            </a>
                                        }
                                    })}
                            </section>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <CannotContinue title="Cannot log you out here" error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
