//! The user interface: the app shell, routes, components and pages.

#[cfg(feature = "ssr")]
pub mod assets;
pub mod auth;
pub mod components;
pub mod pages;
pub mod source;

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use auth::Auth;
use components::nav::TopNav;
use pages::*;

/// The page around the app: rendered on the server only.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use assets::SiteScripts;
    // In the shell, not a leptos_meta Stylesheet: its name carries a hash the browser side does not know.
    let stylesheet = assets::stylesheet();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" id="leptos" href=stylesheet />
                <AutoReload options />
                <SiteScripts />
                // Security keys and passkeys: plain JavaScript, no wasm (public/webauthn.js).
                <script type="module" src="/webauthn.js" nonce=use_nonce()></script>
                // Client-side navigation once the wasm is there (public/navigate.js).
                <script type="module" src="/navigate.js" nonce=use_nonce()></script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The whole app renders on the server (Leptos islands): pages are HTML whose
/// forms post to server functions; only `#[island]` components hydrate.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    // Async SSR: every page arrives complete, so nothing jumps while it
    // hydrates and every form works before (or without) JavaScript.
    view! {
        <Title formatter=page_title />
        <Router>
            <Frame />
        </Router>
    }
}

/// Inside the router, so that the actions see the error a plain form post
/// came back with (`?__err=`) and show it by their form.
#[component]
fn Frame() -> impl IntoView {
    provide_context(Auth::new());
    view! {
        <a class="skip-link" href="#main">
            "Skip to content"
        </a>
        <TopNav />
        <main id="main" tabindex="-1">
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("/login/two-factor") view=TwoFactorLoginPage ssr=SsrMode::Async />
                <Route path=path!("/signup") view=SignupPage ssr=SsrMode::Async />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/verify-email") view=VerifyEmailPage ssr=SsrMode::Async />
                <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                <Route path=path!("/orgs/new") view=NewOrgPage ssr=SsrMode::Async />
                <Route path=path!("/orgs/:slug") view=OrgMembersPage ssr=SsrMode::Async />
                <Route
                    path=path!("/orgs/:slug/settings")
                    view=|| view! { <OrgSettingsPage section=SettingsSection::Authentication /> }
                    ssr=SsrMode::Async
                />
                <Route
                    path=path!("/orgs/:slug/settings/general")
                    view=|| view! { <OrgSettingsPage section=SettingsSection::General /> }
                    ssr=SsrMode::Async
                />
                <Route path=path!("/orgs/:slug/applications") view=OrgApplicationsPage ssr=SsrMode::Async />
                <Route path=path!("/oidc/authorize/prompt") view=AuthorizationPage ssr=SsrMode::Async />
                <Route path=path!("/oidc/logout") view=LogoutPage ssr=SsrMode::Async />
            </Routes>
        </main>
        <footer class="site-footer">
            <a href=source::url()>"Source"</a>
            {concat!(" · Portcullis ", env!("CARGO_PKG_VERSION"), " · AGPL-3.0")}
        </footer>
    }
}

/// The tab's text. leptos_meta writes the server's `<title>` without escaping
/// (the browser sets `document.title`, which needs none), so the server escapes.
fn page_title(title: String) -> String {
    let text = if title.is_empty() { "Portcullis".to_string() } else { format!("{title} · Portcullis") };
    if cfg!(feature = "ssr") {
        escape_html(&text)
    } else {
        text
    }
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    #[test]
    fn a_title_is_escaped_once_on_the_server() {
        assert_eq!(
            super::page_title("</title><script>alert(1)</script>".into()),
            "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; · Portcullis"
        );
        assert_eq!(super::page_title("A & \"B\"".into()), "A &amp; &quot;B&quot; · Portcullis");
        assert_eq!(super::page_title(String::new()), "Portcullis");
    }
}
