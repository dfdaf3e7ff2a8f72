//! "Security keys and passkeys": server-rendered markup only. The ceremonies
//! run in `public/webauthn.js`, which wires up the `data-webauthn` elements;
//! rename and remove are plain forms posting to server functions, so they
//! work without JavaScript. No signals, effects or actions here.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{format_date, TwoFactorStatus};
use crate::security_keys::{SecurityKeys, NAME_MAX};
use crate::ui::components::forms::LoadError;

/// The Account page's section: the keys, "Add a security key", rename, remove.
#[component]
pub fn SecurityKeysSection(keys: Result<SecurityKeys, AppError>) -> impl IntoView {
    let body = match keys {
        Err(e) => view! { <LoadError error=e /> }
        .into_any(),
        Ok(keys) if !keys.available => view! {
            <p class="muted">
                "Security keys and passkeys are not available on this server: its administrator has to set PORTCULLIS_PUBLIC_URL to the address you use, with a domain name."
            </p>
        }
        .into_any(),
        Ok(keys) => view! { <KeyList keys /> }.into_any(),
    };
    view! {
        <section class="card" id="security-keys" aria-labelledby="keys-title">
            <h2 id="keys-title">"Security keys and passkeys"</h2>
            <p class="muted">
                "A security key (a USB or NFC token) or a passkey (on your phone, computer or password manager) is a second factor that cannot be phished. A passkey can also sign you in on its own."
            </p>
            {body}
        </section>
    }
}

#[component]
fn KeyList(keys: SecurityKeys) -> impl IntoView {
    let origin = keys.origin.clone().unwrap_or_default();
    // With 2FA on, a new key needs a current second factor: the app's code, or one of the keys.
    let (confirm, proof) = match (keys.authenticator_app, keys.keys.is_empty()) {
        (true, _) => (
            "",
            view! {
                <label>
                    "Password" <input type="password" name="password" required=true autocomplete="current-password" />
                </label>
                <label>
                    "Code from your authenticator app"
                    <input name="code" required=true inputmode="numeric" autocomplete="one-time-code" />
                </label>
            }
            .into_any(),
        ),
        (false, false) => {
            ("key", view! { <p class="muted">"You will confirm with one of your security keys first."</p> }.into_any())
        }
        (false, true) => (
            "",
            view! {
                <label>
                    "Password (if you logged in more than 5 minutes ago)"
                    <input type="password" name="password" autocomplete="current-password" />
                </label>
            }
            .into_any(),
        ),
    };
    let rows = keys
        .keys
        .into_iter()
        .map(|key| {
            let id = key.id.to_string();
            let last_used = key.last_used_at.map(format_date).unwrap_or_else(|| "Never".to_string());
            view! {
                <tr>
                    <td>{key.name.clone()}</td>
                    <td>{key.kind.label()}</td>
                    <td>{format_date(key.created_at)}</td>
                    <td>{last_used}</td>
                    <td class="key-actions">
                        <details>
                            <summary>"Rename"</summary>
                            <form method="post" action="/api/rename_security_key" class="inline-form">
                                <input type="hidden" name="id" value=id.clone() />
                                <label>
                                    "New name"
                                    <input name="name" required=true maxlength=NAME_MAX.to_string() value=key.name />
                                </label>
                                <button type="submit">"Rename"</button>
                            </form>
                        </details>
                        <details>
                            <summary>"Remove"</summary>
                            <form method="post" action="/api/remove_security_key" class="inline-form">
                                <input type="hidden" name="id" value=id />
                                <label>
                                    "Password"
                                    <input
                                        type="password"
                                        name="password"
                                        required=true
                                        autocomplete="current-password"
                                    />
                                </label>
                                <label>
                                    "Code from your authenticator app, or a backup code"
                                    <input name="code" required=true autocomplete="one-time-code" />
                                </label>
                                <button type="submit" class="danger">
                                    "Remove"
                                </button>
                            </form>
                        </details>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div data-webauthn-scope="" data-origin=origin>
            <table class="keys">
                <caption class="visually-hidden">"Your security keys and passkeys"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Added"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <form data-webauthn="register" data-confirm=confirm class="inline-form">
                <label>
                    "Name" <input name="name" required=true maxlength=NAME_MAX.to_string() placeholder="YubiKey" />
                </label>
                {proof}
                <button type="submit" class="primary">
                    "Add a security key"
                </button>
            </form>
            <noscript>
                <p class="muted">"Adding a security key needs JavaScript."</p>
            </noscript>
            <p class="form-error" role="alert" data-webauthn-error="" hidden=true></p>
            <div data-webauthn-codes="" hidden=true>
                <h3>"Save your backup codes"</h3>
                <p>
                    "Two-factor authentication is on. If you lose your security key, each of these codes lets you log in once. They are shown only now: download them or write them down."
                </p>
                <ol class="backup-codes" data-webauthn-code-list=""></ol>
                <div class="actions">
                    <button type="button" data-webauthn-download="">
                        "Download Codes"
                    </button>
                    <button type="button" class="primary" data-webauthn-saved="">
                        "I've Saved my Codes"
                    </button>
                </div>
            </div>
        </div>
    }
}

/// "Active methods: authenticator app, SMS to +1 ••• ••• 12 34, 2 security keys", for the Two Factor Auth section.
pub fn active_methods(status: &TwoFactorStatus) -> String {
    let mut methods = Vec::new();
    if status.authenticator_app {
        methods.push("authenticator app".to_string());
    }
    if let Some(phone) = &status.sms {
        methods.push(format!("SMS to {phone}"));
    }
    match status.security_keys {
        0 => {}
        1 => methods.push("1 security key".to_string()),
        n => methods.push(format!("{n} security keys")),
    }
    format!("Active methods: {}", methods.join(", "))
}

/// The login's second step, with a key: "Use your security key".
/// `next`: where to continue afterwards.
#[component]
pub fn KeySecondStep(next: Option<String>) -> impl IntoView {
    view! {
        <div data-webauthn-scope="" data-next=next.unwrap_or_default() class="key-step">
            <button type="button" class="button primary" data-webauthn="second-step">
                "Use your security key"
            </button>
            <p class="form-error" role="alert" data-webauthn-error="" hidden=true></p>
        </div>
    }
}

/// "Sign in with a passkey" on the login page.
#[component]
pub fn PasskeySignIn(next: Option<String>) -> impl IntoView {
    view! {
        <div data-webauthn-scope="" data-next=next.unwrap_or_default() class="key-step">
            <button type="button" class="button" data-webauthn="passkey">
                "Sign in with a passkey"
            </button>
            <p class="form-error" role="alert" data-webauthn-error="" hidden=true></p>
        </div>
    }
}

/// The Settings tab's "Allowed second factors": a plain form (owners and admins).
#[component]
pub fn AllowedFactorsSection(
    slug: String,
    allowed: crate::factors::Kinds,
    /// An SMS gateway is configured: otherwise SMS is not shown, and its setting is kept as it is.
    sms_offered: bool,
) -> impl IntoView {
    use crate::factors::Kind;
    // The form field of each kind is its stable name (`Kind::as_str`).
    let label = |kind: Kind| match kind {
        Kind::App => "Authenticator app",
        Kind::SecurityKey => "Security keys and passkeys",
        Kind::Sms => "Text message (SMS)",
    };
    let boxes = Kind::ALL
        .into_iter()
        .map(|kind| {
            if kind == Kind::Sms && !sms_offered {
                let kept = if allowed.contains(kind) { "true" } else { "false" };
                return view! { <input type="hidden" name=kind.as_str() value=kept /> }.into_any();
            }
            view! {
                <label>
                    <input type="checkbox" name=kind.as_str() value="true" checked=allowed.contains(kind) />
                    {label(kind)}
                </label>
            }
            .into_any()
        })
        .collect_view();
    view! {
        <section class="card wide" aria-labelledby="factors-title">
            <h2 id="factors-title">"Allowed second factors"</h2>
            <p class="muted">
                "When the organization requires two-factor authentication, members comply with a second factor of a kind allowed here."
            </p>
            <form method="post" action="/api/set_allowed_factors" class="inline-form">
                <input type="hidden" name="slug" value=slug />
                {boxes}
                <p class="muted">
                    "Allowing another kind of second factor (owners only) needs your password and a code from your authenticator app."
                </p>
                <label>"Password" <input type="password" name="password" autocomplete="current-password" /></label>
                <label>
                    "Code from your authenticator app"
                    <input name="code" inputmode="numeric" autocomplete="one-time-code" />
                </label>
                <button type="submit">"Update allowed factors"</button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_active_methods_are_named_and_counted() {
        let status = |app, keys| TwoFactorStatus {
            enabled: true,
            enabled_at: None,
            authenticator_app: app,
            security_keys: keys,
            codes_left: 5,
            codes_total: 5,
            sms: None,
            sms_offered: false,
            preferred: None,
        };
        assert_eq!(active_methods(&status(true, 0)), "Active methods: authenticator app");
        assert_eq!(active_methods(&status(true, 2)), "Active methods: authenticator app, 2 security keys");
        assert_eq!(active_methods(&status(false, 1)), "Active methods: 1 security key");
        let texted = TwoFactorStatus { sms: Some("+1 ••• ••• 12 34".into()), ..status(true, 0) };
        assert_eq!(active_methods(&texted), "Active methods: authenticator app, SMS to +1 ••• ••• 12 34");
    }
}
