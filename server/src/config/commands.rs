//! The subcommands: what `portcullis <command>` does besides serving.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Seed a demo organization with a few users, print their passwords, then serve.
    Demo,
    /// Re-seal every stored secret and backup code under the current key (after a key rotation).
    Reencrypt,
    /// Copy the SQLite database to FILE while serving (a consistent snapshot); with PostgreSQL, says to use pg_dump.
    Backup {
        /// The new file (it must not exist).
        file: std::path::PathBuf,
    },
    /// Print a new random secret key (64 hex characters) and exit.
    NewKey,
    /// Applications that sign their users in through Portcullis (OpenID Connect clients).
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// The keys that sign ID tokens.
    #[command(subcommand)]
    SigningKey(SigningKeyCommand),
    /// Outgoing mail.
    #[command(subcommand)]
    Mail(MailCommand),
    /// The server's operators (who may create organizations with `--org-creation operators`).
    #[command(subcommand)]
    Operators(OperatorsCommand),
    /// Break-glass help for an account's owner, audited in its security log and mailed to it.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Organizations.
    #[command(subcommand)]
    Orgs(OrgsCommand),
    /// Other identity providers people may sign in through (OpenID Connect issuers).
    #[command(subcommand)]
    Providers(ProvidersCommand),
}

#[derive(Debug, Subcommand)]
pub enum ProvidersCommand {
    /// Add an OpenID Connect issuer; register the redirect URI it prints at the provider.
    Add {
        /// What the login page and the Members tab call it ("Sign in with <name>").
        #[arg(long)]
        name: String,
        /// The issuer URL, as its discovery document says it (e.g. https://accounts.google.com).
        #[arg(long)]
        issuer: String,
        #[arg(long)]
        client_id: String,
        /// A file holding the client secret (kept off the command line and out of shell history).
        #[arg(long)]
        client_secret_file: std::path::PathBuf,
        /// Scopes to ask for; `openid` is always asked.
        #[arg(long, default_value = "openid email profile")]
        scopes: String,
        /// Make an account for a verified address no account has yet.
        #[arg(long)]
        allow_sign_up: bool,
        /// The button's words instead of "Sign in with <name>".
        #[arg(long)]
        button_label: Option<String>,
    },
    /// List the providers as JSON (never their secrets).
    List,
    /// Remove a provider; accounts connected through it lose that way to sign in.
    Remove { name: String },
}

#[derive(Debug, Subcommand)]
pub enum OperatorsCommand {
    /// Make the account with this email an operator.
    Add { email: String },
    /// The account is no longer an operator.
    Remove { email: String },
    /// Print the operators' emails.
    List,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Print a one-time link (30 minutes) to choose a new password; with 2FA on, its page still asks for a code.
    ResetPassword { email: String },
    /// Turn off the account's two-factor authentication (every factor and backup code) and end its sessions.
    ResetTwoFactor { email: String },
}

#[derive(Debug, Subcommand)]
pub enum OrgsCommand {
    /// Make the account an owner of the organization (for an organization whose owners are all locked out).
    AddOwner { slug: String, email: String },
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Print the messages waiting in the outbox, worded as they will be sent (with their links).
    List {
        /// Every kept message, delivered and given up ones too.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Register an application; prints {"client_id": ..., "client_secret": ...} (the secret only now).
    Add {
        /// The organization's address (slug).
        #[arg(long)]
        org: String,
        #[arg(long)]
        name: String,
        /// Where Portcullis sends the browser back with the code; repeat for several.
        #[arg(long = "redirect-uri", required = true)]
        redirect_uris: Vec<String>,
        /// Where Portcullis may send the browser after logging out; repeat for several.
        #[arg(long = "post-logout-redirect-uri")]
        post_logout_redirect_uris: Vec<String>,
        /// A public client (single-page or native app): no secret, PKCE required.
        #[arg(long)]
        public: bool,
        /// Require two-factor authentication for this application.
        #[arg(long)]
        require_two_factor: bool,
        /// How its ID tokens are signed (id_token_signed_response_alg): RS256 or ES256.
        #[arg(long, default_value = "RS256", value_parser = signing_alg)]
        id_token_alg: app::applications::SigningAlg,
        /// A resource server (an API): it may introspect the tokens of every application of the organization.
        #[arg(long)]
        resource_server: bool,
        /// Where logout tokens are posted when its users sign out (OpenID Connect Back-Channel Logout).
        #[arg(long)]
        backchannel_logout_uri: Option<String>,
        /// A service (a CI job, a daemon): it may use the client credentials grant.
        #[arg(long)]
        service: bool,
        /// A shorter life for its refresh tokens, in seconds (3600 to the default 2592000, 30 days).
        #[arg(long)]
        refresh_token_secs: Option<i64>,
        /// Also admit the members of this organization (slug); repeat for several.
        #[arg(long = "also-admit")]
        also_admit: Vec<String>,
    },
    /// Edit an application: only what is given changes (a repeated URI option replaces that list).
    Update {
        #[arg(long)]
        org: String,
        #[arg(long)]
        client_id: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        #[arg(long = "post-logout-redirect-uri")]
        post_logout_redirect_uris: Vec<String>,
        /// An empty value removes it.
        #[arg(long)]
        backchannel_logout_uri: Option<String>,
        #[arg(long)]
        require_two_factor: Option<bool>,
        #[arg(long, value_parser = signing_alg)]
        id_token_alg: Option<app::applications::SigningAlg>,
        #[arg(long)]
        resource_server: Option<bool>,
        #[arg(long)]
        service: Option<bool>,
        /// Refresh token life in seconds; 2592000 (30 days) is the default.
        #[arg(long)]
        refresh_token_secs: Option<i64>,
        /// The organizations (slugs) whose members it admits besides its own; repeat
        /// for several; replaces the list (`--also-admit ""` empties it).
        #[arg(long = "also-admit")]
        also_admit: Option<Vec<String>>,
    },
    /// List an organization's applications as JSON.
    List {
        #[arg(long)]
        org: String,
    },
}

fn signing_alg(name: &str) -> Result<app::applications::SigningAlg, String> {
    app::applications::SigningAlg::parse(name).ok_or_else(|| format!("{name:?} is not RS256 or ES256"))
}

#[derive(Debug, Subcommand)]
pub enum SigningKeyCommand {
    /// Make new signing keys (RS256 and ES256); the old ones stay published until the tokens they signed have expired.
    Rotate,
}
