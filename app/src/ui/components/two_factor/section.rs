use leptos::either::Either;
use leptos::prelude::*;

use crate::ui::components::call::Call;

use super::enroll_dialog::{EnrollDialog, Method, Offer};
use super::manage::{DisableForm, KeyConfirmation, RegenerateForm, RevealForm};
use crate::model::{format_date, TwoFactorStatus};
use crate::server_fns::twofactor::{DisableTwoFactor, FinishEnrollment, RegenerateCodes};
use crate::ui::components::browser::reload_page;

/// The Account page's section: an island, since the enrollment dialog, the
/// revealed and the regenerated codes live in the browser. Turning 2FA on or
/// off reloads the page, whose other sections depend on it.
#[island]
pub fn TwoFactorSection(account: String, status: TwoFactorStatus) -> impl IntoView {
    let finish = Call::<FinishEnrollment>::new();
    let regenerate = Call::<RegenerateCodes>::new();
    let disable = Call::<DisableTwoFactor>::new();
    // The dialog, open with what it offers (the choice, or one method).
    let dialog: RwSignal<Option<Offer>> = RwSignal::new(None);
    let sms_offered = status.sms_offered;
    let toggle = NodeRef::<leptos::html::Button>::new();
    // Closing the dialog gives focus back to the toggle that opened it.
    let close_dialog = move || {
        dialog.set(None);
        // After the modal dialog is gone: until then the page behind it is inert.
        request_animation_frame(move || {
            if let Some(toggle) = toggle.get_untracked() {
                let _ = toggle.focus();
            }
        });
    };
    let status = RwSignal::new(status);
    Effect::new(move |_| {
        let (finished, disabled) = (finish.value().get(), disable.value().get());
        if matches!(finished, Some(Ok(()))) || matches!(disabled, Some(Ok(()))) {
            reload_page("#tfa-title");
        }
    });
    // A new set of codes replaces the old one.
    Effect::new(move |_| {
        if let Some(Ok(codes)) = regenerate.value().get() {
            let n = u32::try_from(codes.len()).unwrap_or(u32::MAX);
            status.update(|s| (s.codes_left, s.codes_total) = (n, n));
        }
    });
    let dialog_account = account.clone();
    let body = move || {
        if status.with(|s| s.enabled) {
            Either::Left(view! { <Enabled status regenerate disable account=account.clone() dialog /> })
        } else {
            Either::Right(view! {
                <div class="toggle-row">
                    <span id="tfa-toggle-label">"Two Factor Auth"</span>
                    <button
                        type="button"
                        id="tfa-toggle"
                        node_ref=toggle
                        class="switch"
                        role="switch"
                        aria-checked="false"
                        aria-labelledby="tfa-toggle-label"
                        on:click=move |_| {
                            dialog
                                .set(
                                    Some(Offer {
                                        sms: sms_offered,
                                        only: None,
                                        two_factor_on: false,
                                    }),
                                )
                        }
                    >
                        <span class="switch-knob" aria-hidden="true"></span>
                    </button>
                    <span class="muted">"Off"</span>
                </div>
                <p class="nudge">"We strongly recommend enabling two-factor authentication for your account."</p>
            })
        }
    };
    view! {
        <section class="card" aria-labelledby="tfa-title">
            <h2 id="tfa-title">"Two-Factor Authentication"</h2>
            <p class="muted">
                "Protect your account with a code from an authenticator app (Google Authenticator, Authy, 1Password, Microsoft Authenticator) at every login."
            </p>
            {body}
            {move || {
                dialog
                    .get()
                    .map(|offer| {
                        view! { <EnrollDialog account=dialog_account.clone() finish offer on_close=close_dialog /> }
                    })
            }}
        </section>
    }
}

#[component]
fn Enabled(
    status: RwSignal<TwoFactorStatus>,
    regenerate: Call<RegenerateCodes>,
    disable: Call<DisableTwoFactor>,
    account: String,
    dialog: RwSignal<Option<Offer>>,
) -> impl IntoView {
    let since = status.with_untracked(|s| match s.enabled_at {
        Some(at) => format!("Enabled since {}", format_date(at)),
        None => "Enabled".to_string(),
    });
    let left = move || status.with(|s| format!("Backup codes: {} of {} left", s.codes_left, s.codes_total));
    let methods = move || status.with(crate::ui::components::security_keys::active_methods);
    // With security keys only, every change here is confirmed with one of them first
    // (public/webauthn.js runs "Confirm with your security key"), and the app can be added.
    let key_only = status.with_untracked(|s| !s.authenticator_app && s.sms.is_none());
    let confirm = key_only.then(|| {
        view! {
            <p class="muted">
                "To see or replace your backup codes, turn 2FA off or set up an authenticator app, first confirm with one of your security keys."
            </p>
            <KeyConfirmation done="Confirmed. Go on within 5 minutes." />
        }
    });
    let only = |method| Some(Offer { sms: true, only: Some(method), two_factor_on: true });
    let add_app = status.with_untracked(|s| !s.authenticator_app).then(|| {
        view! {
            <button type="button" class="button" on:click=move |_| dialog.set(only(Method::App))>
                "Set up an authenticator app"
            </button>
        }
    });
    let add_sms = status.with_untracked(|s| s.sms_offered && s.sms.is_none()).then(|| {
        view! {
            <button type="button" class="button" on:click=move |_| dialog.set(only(Method::Sms))>
                "Set up text messages"
            </button>
        }
    });
    let change_number = status.with_untracked(|s| s.sms_offered && s.sms.is_some()).then(|| {
        view! {
            <button type="button" class="button" on:click=move |_| dialog.set(only(Method::Sms))>
                "Change number"
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
        <p class:warning=move || status.with(|s| s.codes_left <= 1)>{left}</p>
        {confirm}
        <div class="manage">
            <RevealForm key_only />
            <RegenerateForm action=regenerate account key_only />
            <DisableForm action=disable key_only />
            {add_app}
            {add_sms}
            {change_number}
        </div>
    }
}
