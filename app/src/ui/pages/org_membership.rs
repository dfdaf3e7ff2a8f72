//! The Members tab's membership forms: inviting, the pending invitations
//! (owners and admins), and leaving the organization (everyone).

use leptos::prelude::*;

use crate::model::{format_date, PendingInvitation, Role};
use crate::policy;
use crate::server_fns::orgs::{AddMember, CancelInvitation, LeaveOrg};
use crate::ui::components::forms::{last_error, Field, FormError, SubmitButton};

#[component]
pub fn InviteForm(slug: String, roles: Vec<Role>, action: ServerAction<AddMember>) -> impl IntoView {
    let error = last_error(action);
    // After a plain form post the page is rendered with `invited` and `invitation_code` from the
    // server's one-shot flash cookie (see the server's flash middleware): never from a link.
    let query = leptos_router::hooks::use_query_map();
    let sent = move || {
        let sent = action.value().get().and_then(Result::ok).or_else(|| {
            let email = query.read().get("invited").and_then(|e| crate::validate::email(&e).ok())?;
            let code = query.read().get("invitation_code")?;
            Some(crate::model::InvitationSent::new(email, code))
        })?;
        Some(sent.message)
    };
    view! {
        <section class="add-member" aria-labelledby="add-member-title">
            <h2 id="add-member-title">"Invite a member"</h2>
            <p class="muted">
                "They join once they accept. Without an account yet, they see the invitation after signing up with this email address."
            </p>
            <ActionForm action=action attr:class="row-form">
                <input type="hidden" name="slug" value=slug />
                <Field label="Email" name="email" kind="email" autocomplete="off" error />
                <div class="field">
                    <label for="field-role">"Role"</label>
                    <select id="field-role" name="role">
                        {roles
                            .into_iter()
                            .rev()
                            .map(|role| {
                                view! {
                                    <option value=role.as_str() selected=role == Role::Member>
                                        {role.label()}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </div>
                <SubmitButton label="Send invitation" pending_label="Sending…" />
            </ActionForm>
            <FormError error />
            <p class="success" role="status">
                {sent}
            </p>
        </section>
    }
}

#[component]
pub fn PendingInvitations(
    slug: String,
    invitations: Vec<PendingInvitation>,
    my_role: Role,
    cancel: ServerAction<CancelInvitation>,
) -> impl IntoView {
    let error = last_error(cancel);
    view! {
        <FormError error />
        {(!invitations.is_empty())
            .then(|| {
                view! {
                    <section class="pending-invitations" aria-labelledby="pending-invitations-title">
                        <h2 id="pending-invitations-title">"Pending invitations"</h2>
                        <div class="table-wrap" tabindex="0" role="group" aria-label="Pending invitations">
                            <table class="members">
                                <thead>
                                    <tr>
                                        <th scope="col">"Email"</th>
                                        <th scope="col">"Role"</th>
                                        <th scope="col">"Invited by"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">
                                            <span class="visually-hidden">"Actions"</span>
                                        </th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {invitations
                                        .into_iter()
                                        .map(|i| {
                                            let cancellable = policy::may_cancel_invitation(my_role, i.role).is_ok();
                                            let status = if i.expired {
                                                format!("Expired on {}", format_date(i.expires_at))
                                            } else {
                                                format!("Open until {}", format_date(i.expires_at))
                                            };
                                            let label = format!("Cancel invitation to {}", i.email);
                                            let slug = slug.clone();
                                            view! {
                                                <tr>
                                                    <td data-label="Email">{i.email}</td>
                                                    <td data-label="Role">{i.role.label()}</td>
                                                    <td data-label="Invited by">
                                                        {i.inviter.unwrap_or_else(|| "(account deleted)".to_string())}
                                                    </td>
                                                    <td data-label="Status">{status}</td>
                                                    <td class="row-actions">
                                                        {cancellable
                                                            .then(|| {
                                                                view! {
                                                                    <ActionForm action=cancel attr:class="inline-form">
                                                                        <input type="hidden" name="slug" value=slug />
                                                                        <input type="hidden" name="invitation_id" value=i.id />
                                                                        <button
                                                                            type="submit"
                                                                            class="button small danger"
                                                                            aria-label=label
                                                                            disabled=move || cancel.pending().get()
                                                                        >
                                                                            "Cancel invitation"
                                                                        </button>
                                                                    </ActionForm>
                                                                }
                                                            })}
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </section>
                }
            })}
    }
}

/// "Leave organization", behind a confirmation; the server refuses the last owner.
#[component]
pub fn LeaveOrgForm(slug: String, org_name: String, action: ServerAction<LeaveOrg>) -> impl IntoView {
    let error = last_error(action);
    view! {
        <details class="panel leave-org">
            <summary class="button small danger">"Leave organization"</summary>
            <p>{format!("You lose access to {org_name} at once. To come back, you need a new invitation.")}</p>
            <ActionForm action=action attr:class="inline-form">
                <input type="hidden" name="slug" value=slug />
                <button type="submit" class="button danger" disabled=move || action.pending().get()>
                    {format!("Yes, leave {org_name}")}
                </button>
            </ActionForm>
            <FormError error />
        </details>
    }
}
