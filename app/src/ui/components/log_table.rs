//! The Security log and Audit log tables, paginated with plain links.

use leptos::prelude::*;

use crate::model::{format_date, format_utc_time, LogPage};

#[component]
pub fn LogTable(
    page: LogPage,
    /// Table caption, e.g. "Security log".
    caption: &'static str,
    /// Link to page N: the query parameter's name.
    param: &'static str,
    /// Audit log: show who acted and details; Security log: address and browser.
    audit: bool,
) -> impl IntoView {
    let LogPage { entries, page, has_more } = page;
    let empty = entries.is_empty();
    view! {
        <div class="table-wrap" tabindex="0" role="group" aria-label=caption>
            <table class="log">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Time (UTC)"</th>
                        <th scope="col">"Event"</th>
                        {if audit {
                            view! {
                                <th scope="col">"By"</th>
                                <th scope="col">"Details"</th>
                            }
                                .into_any()
                        } else {
                            view! {
                                <th scope="col">"IP address"</th>
                                <th scope="col">"Browser"</th>
                            }
                                .into_any()
                        }}
                    </tr>
                </thead>
                <tbody>
                    {entries
                        .into_iter()
                        .map(|e| {
                            view! {
                                <tr>
                                    <td>
                                        {format!(
                                            "{} {}",
                                            format_date(e.at),
                                            format_utc_time(e.at).trim_end_matches(" UTC"),
                                        )}
                                    </td>
                                    <td>{e.what}</td>
                                    {if audit {
                                        view! {
                                            <td>{e.actor.unwrap_or_else(|| "(deleted account)".into())}</td>
                                            <td>{e.detail}</td>
                                        }
                                            .into_any()
                                    } else {
                                        view! {
                                            <td>{e.ip.unwrap_or_default()}</td>
                                            <td>{e.browser.unwrap_or_default()}</td>
                                        }
                                            .into_any()
                                    }}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {empty.then(|| view! { <p class="empty">"Nothing recorded yet."</p> })}
        <nav class="pager" aria-label=format!("{caption} pages")>
            {(page > 0).then(|| view! { <a href=format!("?{param}={}", page - 1)>"Newer"</a> })}
            {has_more.then(|| view! { <a href=format!("?{param}={}", page.saturating_add(1))>"Older"</a> })}
        </nav>
    }
    .into_any()
}
