use leptos::prelude::*;

use super::enroll_dialog::EnrollDialog;
use super::manage::{DisableForm, RegenerateForm, RevealForm};
use crate::api::twofactor::{get_two_factor_status, DisableTwoFactor, FinishEnrollment, RegenerateCodes};
use crate::error::AppError;
use crate::model::{format_date, TwoFactorStatus, User};

/// The section's resource and actions. Created by the page outside any
/// Suspense, so that server and browser create resources in the same order.
#[derive(Clone, Copy)]
pub struct TwoFactorState {
    finish: ServerAction<FinishEnrollment>,
    regenerate: ServerAction<RegenerateCodes>,
    disable: ServerAction<DisableTwoFactor>,
    pub status: Resource<Result<TwoFactorStatus, AppError>>,
    dialog_open: RwSignal<bool>,
}

impl TwoFactorState {
    pub fn new() -> Self {
        let finish = ServerAction::<FinishEnrollment>::new();
        let regenerate = ServerAction::<RegenerateCodes>::new();
        let disable = ServerAction::<DisableTwoFactor>::new();
        let status = Resource::new(
            move || (finish.version().get(), regenerate.version().get(), disable.version().get()),
            |_| get_two_factor_status(),
        );
        Self { finish, regenerate, disable, status, dialog_open: RwSignal::new(false) }
    }
}

impl Default for TwoFactorState {
    fn default() -> Self {
        Self::new()
    }
}

/// Renders with the status already loaded by the page (one Suspense level:
/// nested ones hydrate in a racy order).
#[component]
pub fn TwoFactorSection(user: User, status: Result<TwoFactorStatus, AppError>, state: TwoFactorState) -> impl IntoView {
    let TwoFactorState { finish, regenerate, disable, dialog_open, .. } = state;
    let body = match status {
        Ok(s) if s.enabled => view! { <Enabled status=s regenerate disable dialog_open /> }.into_any(),
        Ok(_) => view! {
            <div class="toggle-row">
                <span id="tfa-toggle-label">"Two Factor Auth"</span>
                <button
                    type="button"
                    class="switch"
                    role="switch"
                    aria-checked="false"
                    aria-labelledby="tfa-toggle-label"
                    on:click=move |_| dialog_open.set(true)
                >
                    <span class="switch-knob" aria-hidden="true"></span>
                </button>
                <span class="muted">"Off"</span>
            </div>
        }
        .into_any(),
        Err(e) => view! {
            <p class="form-error" role="alert">
                {e.to_string()}
            </p>
        }
        .into_any(),
    };
    let account = user.email;
    view! {
        <section class="card" aria-labelledby="tfa-title">
            <h2 id="tfa-title">"Two-Factor Authentication"</h2>
            <p class="muted">
                "Protect your account with a code from an authenticator app (Google Authenticator, Authy, 1Password, Microsoft Authenticator) at every login."
            </p>
            {body}
            <Show when=move || dialog_open.get()>
                <EnrollDialog account=account.clone() finish on_close=move || dialog_open.set(false) />
            </Show>
        </section>
    }
}

#[component]
fn Enabled(
    status: TwoFactorStatus,
    regenerate: ServerAction<RegenerateCodes>,
    disable: ServerAction<DisableTwoFactor>,
    dialog_open: RwSignal<bool>,
) -> impl IntoView {
    let since = match status.enabled_at {
        Some(at) => format!("Enabled since {}", format_date(at)),
        None => "Enabled".to_string(),
    };
    let low = status.codes_left <= 1;
    let methods = crate::ui::components::security_keys::active_methods(&status);
    // With security keys only, the app can be added beside them.
    let add_app = (!status.authenticator_app).then(|| {
        view! {
            <button type="button" class="button" on:click=move |_| dialog_open.set(true)>
                "Set up an authenticator app"
            </button>
        }
    });
    view! {
        <div class="toggle-row">
            <span>"Two Factor Auth"</span>
            <span class="switch on" role="img" aria-label="On">
                <span class="switch-knob"></span>
            </span>
            <span class="status-on">{since}</span>
        </div>
        <p>{methods}</p>
        <p class:warning=low>{format!("Backup codes: {} of {} left", status.codes_left, status.codes_total)}</p>
        <div class="manage">
            <RevealForm />
            <RegenerateForm action=regenerate />
            <DisableForm action=disable />
            {add_app}
        </div>
    }
}
