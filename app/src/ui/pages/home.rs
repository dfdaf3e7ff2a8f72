use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::model::OrgSummary;
use crate::server_fns::auth::{notice, DismissNotice};
use crate::server_fns::invitations::{my_invitations, AcceptInvitation, DeclineInvitation};
use crate::ui::auth::Auth;
use crate::ui::components::invitations::MyInvitations;

#[component]
pub fn HomePage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let dismiss = ServerAction::<DismissNotice>::new();
    let notice = Resource::new(move || dismiss.version().get(), |_| notice());
    let (accept, decline) = (ServerAction::<AcceptInvitation>::new(), ServerAction::<DeclineInvitation>::new());
    let invitations = Resource::new(move || (accept.version().get(), decline.version().get()), |_| my_invitations());
    view! {
        <Title text="" />
        <Transition fallback=|| {
            view! { <p class="loading">"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let user = auth.user.await.ok().flatten();
                let orgs = auth.orgs.await.unwrap_or_default();
                let notice = notice.await.ok().flatten();
                let invitations = invitations.await.unwrap_or_default();
                match user {
                    Some(user) => {
                        // One Suspend for both: nested ones hydrate in a racy order.
                        view! {
                            {notice
                                .map(|text| {
                                    view! {
                                        <div class="notice" role="status">
                                            <p>{text}</p>
                                            <ActionForm action=dismiss>
                                                <button type="submit" class="button">
                                                    "Dismiss"
                                                </button>
                                            </ActionForm>
                                        </div>
                                    }
                                })}
                            <MyInvitations invitations accept decline />
                            <Dashboard name=user.name orgs />
                        }
                            .into_any()
                    }
                    None => view! { <Welcome /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Welcome() -> impl IntoView {
    view! {
        <section class="hero">
            <h1>"Two-factor authentication for your whole organization"</h1>
            <p class="lead">
                "Portcullis is a self-hosted hub where people protect their accounts with an authenticator app \
                 and organization admins see, and require, that everyone does."
            </p>
            <div class="actions">
                <A href="/signup" attr:class="button primary">
                    "Sign up"
                </A>
                <A href="/login" attr:class="button">
                    "Log In"
                </A>
            </div>
        </section>
    }
}

#[component]
fn Dashboard(name: String, orgs: Vec<OrgSummary>) -> impl IntoView {
    view! {
        <section class="card">
            <h1>"Welcome, " {name}</h1>
            <h2>"Your organizations"</h2>
            {if orgs.is_empty() {
                view! {
                    <p class="empty">
                        "You are not in any organization yet. Create one, or ask an admin to invite you."
                    </p>
                }
                    .into_any()
            } else {
                view! {
                    <ul class="org-list">
                        {orgs
                            .into_iter()
                            .map(|o| {
                                view! {
                                    <li>
                                        <A href=format!("/orgs/{}", o.slug)>{o.name}</A>
                                        <span class="badge">{o.my_role.label()}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
            <A href="/orgs/new" attr:class="button primary">
                "Create organization"
            </A>
        </section>
    }
}
