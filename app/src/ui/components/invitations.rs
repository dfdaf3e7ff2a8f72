//! The invitee's pending invitations, with "Accept" and "Decline".

use leptos::prelude::*;
use leptos_router::components::A;

use crate::model::{format_date, Invitation, Role};
use crate::server_fns::invitations::{AcceptInvitation, DeclineInvitation};
use crate::ui::components::forms::{last_error, FormError};

/// "an admin", "a member".
pub fn role_with_article(role: Role) -> String {
    let article = if role == Role::Member { "a" } else { "an" };
    format!("{article} {}", role.label().to_lowercase())
}

#[component]
pub fn MyInvitations(
    invitations: Vec<Invitation>,
    accept: ServerAction<AcceptInvitation>,
    decline: ServerAction<DeclineInvitation>,
) -> impl IntoView {
    let error = Signal::derive(move || last_error(accept).get().or_else(|| last_error(decline).get()));
    // After a plain form post the page comes back with `?joined=<slug>`.
    let query = leptos_router::hooks::use_query_map();
    let joined = move || {
        accept
            .value()
            .get()
            .and_then(Result::ok)
            .or_else(|| query.read().get("joined").and_then(|slug| crate::validate::slug(&slug).ok()))
    };
    view! {
        <FormError error />
        {move || {
            joined()
                .map(|slug| {
                    view! {
                        <p class="success" role="status">
                            "Invitation accepted. "
                            <A href=format!("/orgs/{slug}")>"Open the organization"</A>
                        </p>
                    }
                })
        }}
        {(!invitations.is_empty())
            .then(|| {
                view! {
                    <section class="invitations" aria-labelledby="invitations-title">
                        <h2 id="invitations-title">"Invitations"</h2>
                        <ul class="invitation-list">
                            {invitations
                                .into_iter()
                                .map(|i| view! { <InvitationItem invitation=i accept decline /> })
                                .collect_view()}
                        </ul>
                    </section>
                }
            })}
    }
}

#[component]
fn InvitationItem(
    invitation: Invitation,
    accept: ServerAction<AcceptInvitation>,
    decline: ServerAction<DeclineInvitation>,
) -> impl IntoView {
    let Invitation { id, org_name, inviter, role, expires_at, expired, .. } = invitation;
    let who = match inviter {
        Some(name) => format!("{name} invited you to join "),
        None => "You are invited to join ".to_string(),
    };
    let when = if expired {
        format!(
            "This invitation expired on {}. Ask an owner or admin of {org_name} to invite you again.",
            format_date(expires_at)
        )
    } else {
        format!("Open until {}.", format_date(expires_at))
    };
    let accept_label = format!("Accept the invitation to {org_name}");
    let decline_label = format!("Decline the invitation to {org_name}");
    view! {
        <li class="invitation">
            <p>{who}<strong>{org_name}</strong>{format!(" as {}.", role_with_article(role))}</p>
            <p class="muted">{when}</p>
            <div class="actions">
                {(!expired)
                    .then(|| {
                        view! {
                            <ActionForm action=accept attr:class="inline-form">
                                <input type="hidden" name="invitation_id" value=id />
                                <label>
                                    "Invitation code"
                                    <input
                                        name="code"
                                        required=true
                                        autocomplete="off"
                                        autocapitalize="characters"
                                        spellcheck="false"
                                        placeholder="7K3Q-XW9D-2MFA"
                                    />
                                </label>
                                <button
                                    type="submit"
                                    class="button primary small"
                                    aria-label=accept_label
                                    disabled=move || accept.pending().get()
                                >
                                    "Accept"
                                </button>
                            </ActionForm>
                        }
                    })} <ActionForm action=decline attr:class="inline-form">
                    <input type="hidden" name="invitation_id" value=id />
                    <button
                        type="submit"
                        class="button small"
                        aria-label=decline_label
                        disabled=move || decline.pending().get()
                    >
                        {if expired { "Remove" } else { "Decline" }}
                    </button>
                </ActionForm>
            </div>
        </li>
    }
}
