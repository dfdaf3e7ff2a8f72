//! The Account page's "Remembered browsers" (each with "Forget") and the
//! "new browser" mail switch, under "Where you're signed in".

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::account_settings::when;
use crate::model::{format_date, BrowserSettings};
use crate::server_fns::account::{ForgetBrowser, SetNewBrowserMail};
use crate::ui::components::forms::{last_error, FormError, SubmitButton, Switch};

#[component]
pub fn RememberedBrowsersSection(settings: BrowserSettings) -> impl IntoView {
    let query = use_query_map();
    let forget = ServerAction::<ForgetBrowser>::new();
    let mail = ServerAction::<SetNewBrowserMail>::new();
    let forget_error = last_error(forget);
    let mail_error = last_error(mail);
    let forgotten = move || matches!(forget.value().get(), Some(Ok(()))) || query.read().get("forgotten").is_some();
    let saved = move || matches!(mail.value().get(), Some(Ok(()))) || query.read().get("notified").is_some();
    let empty = settings.remembered.is_empty();
    let rows = settings
        .remembered
        .into_iter()
        .map(|b| {
            let label = format!("Forget {}", b.browser);
            view! {
                <tr>
                    <td>
                        {b.browser.clone()}
                        {b
                            .current
                            .then(|| {
                                view! {
                                    " "
                                    <span class="badge on">"This browser"</span>
                                }
                            })}
                    </td>
                    <td>{b.address.clone().unwrap_or_else(|| "\u{2014}".into())}</td>
                    <td>{when(b.last_active_at)}</td>
                    <td>{format_date(b.remembered_until)}</td>
                    <td>
                        <ActionForm action=forget attr:class="inline-form">
                            <input type="hidden" name="id" value=b.id.clone() />
                            <button type="submit" class="button small danger" aria-label=label>
                                "Forget"
                            </button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="remembered-browsers-title">
            <h2 id="remembered-browsers-title">"Remembered browsers"</h2>
            <p class="muted">
                "These browsers sign in without a code until the date shown. Changing your password or turning \
                 two-factor authentication off forgets them all."
            </p>
            <p role="status">{move || forgotten().then_some("Forgotten: that browser will be asked for a code.")}</p>
            <FormError error=forget_error />
            {if empty {
                view! { <p>"No browser is remembered."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0" role="group" aria-label="Remembered browsers">
                        <table class="sessions">
                            <caption class="visually-hidden">"Remembered browsers"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Browser"</th>
                                    <th scope="col">"Address"</th>
                                    <th scope="col">"Last active"</th>
                                    <th scope="col">"Remembered until"</th>
                                    <th scope="col">
                                        <span class="visually-hidden">"Action"</span>
                                    </th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
            <ActionForm action=mail>
                <FormError error=mail_error />
                <Switch
                    id="new-browser-mail"
                    name="on"
                    checked=settings.new_browser_mail
                    label="Email me when a new browser signs in to my account"
                />
                <p class="muted">"Emails about changes to your account's protection are always sent."</p>
                <SubmitButton label="Save email setting" pending_label="Saving…" />
                <p class="success" role="status">
                    {move || saved().then_some("Saved.")}
                </p>
            </ActionForm>
        </section>
    }
}
