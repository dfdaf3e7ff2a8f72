//! Repositories: each module reads and writes one family of tables, with
//! no rules of its own beyond the conditional writes that keep them
//! consistent (a use case in `flows` decides; these store).

pub mod api_logs;
pub mod api_tokens;
pub mod browsers;
pub mod credentials;
pub mod email_links;
pub mod enrollments;
pub mod events;
pub mod ids;
pub mod invitation_codes;
pub mod invitations;
pub mod oidc;
pub mod org_settings;
pub mod orgs;
pub mod outbox;
pub mod pending_logins;
pub mod sealed;
pub mod sessions;
pub mod sms;
pub mod upstream;
pub mod users;
pub mod webauthn;
