//! The top navigation: brand, organization switcher, and the avatar menu.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::model::{OrgSummary, Role, User};
use crate::server_fns::auth::LogOut;
use crate::ui::auth::Auth;

/// The organization in the URL, else the first the user belongs to.
fn current_org(orgs: &[OrgSummary], path: &str) -> Option<OrgSummary> {
    let in_url = path.strip_prefix("/orgs/").and_then(|rest| rest.split('/').next());
    in_url.and_then(|slug| orgs.iter().find(|o| o.slug == slug)).or_else(|| orgs.first()).cloned()
}

#[component]
pub fn TopNav() -> impl IntoView {
    let auth = expect_context::<Auth>();
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">
                    "▥"
                </span>
                "Portcullis"
            </a>
            <Transition fallback=|| {
                view! { <div class="topbar-right"></div> }
            }>
                {move || Suspend::new(async move {
                    let user = auth.user.await.ok().flatten();
                    let orgs = auth.orgs.await.unwrap_or_default();
                    match user {
                        Some(user) => {
                            // Both awaited in one Suspend: nested ones hydrate in a racy order.
                            view! { <SignedInNav user orgs /> }
                                .into_any()
                        }
                        None => {
                            view! {
                                <nav class="topbar-right" aria-label="Account">
                                    <A href="/login">"Log In"</A>
                                    <A href="/signup" attr:class="button primary small">
                                        "Sign up"
                                    </A>
                                </nav>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </header>
    }
}

#[component]
fn SignedInNav(user: User, orgs: Vec<OrgSummary>) -> impl IntoView {
    let log_out = ServerAction::<LogOut>::new();
    let location = use_location();
    let orgs = StoredValue::new(orgs);
    let current = move || current_org(&orgs.read_value(), &location.pathname.get());

    view! {
        <nav class="topbar-left" aria-label="Organization">
            {move || {
                let list = orgs.get_value();
                match current() {
                    Some(org) => {
                        view! {
                            <details class="menu switcher">
                                <summary aria-label=format!("Current organization: {}. Switch organization", org.name)>
                                    <span class="switcher-name">{org.name.clone()}</span>
                                    <span aria-hidden="true">" ▾"</span>
                                </summary>
                                <div class="menu-panel" role="menu">
                                    {(org.my_role != Role::Member)
                                        .then(|| {
                                            view! {
                                                <a role="menuitem" href=format!("/orgs/{}/settings", org.slug)>
                                                    "Organization Settings"
                                                </a>
                                                <hr class="menu-separator" />
                                            }
                                        })}
                                    {list
                                        .into_iter()
                                        .map(|o| {
                                            view! {
                                                <a
                                                    role="menuitem"
                                                    href=format!("/orgs/{}", o.slug)

                                                    aria-current=(o.id == org.id).then_some("true")
                                                >
                                                    {o.name}
                                                </a>
                                            }
                                        })
                                        .collect_view()}
                                    <a role="menuitem" href="/orgs/new">
                                        "+ New organization"
                                    </a>
                                </div>
                            </details>
                            <A href=format!("/orgs/{}", org.slug) attr:class="nav-link">
                                "Organization"
                            </A>
                        }
                            .into_any()
                    }
                    None => {
                        view! {
                            <A href="/orgs/new" attr:class="nav-link">
                                "Create an organization"
                            </A>
                        }
                            .into_any()
                    }
                }
            }}
        </nav>
        <div class="topbar-right">
            <details class="menu avatar-menu">
                <summary class="avatar" aria-label=format!("Account menu for {}", user.name) title=user.email.clone()>
                    {user.initials()}
                </summary>
                <div class="menu-panel right" role="menu">
                    <div class="menu-header">
                        <strong>{user.name.clone()}</strong>
                        <span class="muted">{user.email}</span>
                    </div>
                    <a role="menuitem" href="/account">
                        "Account"
                    </a>
                    <ActionForm action=log_out>
                        <button type="submit" role="menuitem" class="menu-button">
                            "Log out"
                        </button>
                    </ActionForm>
                </div>
            </details>
        </div>
    }
}
