//! Command line and environment configuration.

use clap::{Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "portcullis",
    version,
    about = "Portcullis: a self-hosted two-factor authentication hub for organizations."
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Config {
    /// Folder for the SQLite database and the generated secret key.
    #[arg(long, env = "PORTCULLIS_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// sqlite://path/to/file.db or postgres://user@host/db. Default: sqlite://<data dir>/portcullis.db
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Address to listen on.
    #[arg(long = "addr", env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    pub site_addr: SocketAddr,
    /// 64 hex characters (256 bits). Default: a key file generated in the data dir.
    #[arg(long, env = "PORTCULLIS_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Keys being rotated out, comma-separated: they still decrypt until `portcullis reencrypt` has run.
    #[arg(long, env = "PORTCULLIS_PREVIOUS_SECRET_KEYS", hide_env_values = true, value_delimiter = ',')]
    pub previous_secret_keys: Vec<String>,
    /// Load balancers (addresses or networks, comma-separated) whose X-Forwarded-For names the client.
    #[arg(long, env = "PORTCULLIS_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_trusted_proxy)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Mark cookies Secure; set this whenever Portcullis is served over HTTPS.
    #[arg(long, env = "PORTCULLIS_SECURE_COOKIES", default_value_t = false, action = clap::ArgAction::Set)]
    pub secure_cookies: bool,
    /// Log as human-readable text or as JSON lines.
    #[arg(long, env = "PORTCULLIS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Most database connections this instance opens.
    #[arg(long, env = "PORTCULLIS_DB_MAX_CONNECTIONS", default_value_t = 10)]
    pub db_max_connections: u32,
    /// Seconds to wait for a free database connection before answering 500.
    #[arg(long, env = "PORTCULLIS_DB_ACQUIRE_TIMEOUT", default_value_t = 5)]
    pub db_acquire_timeout_secs: u64,
    /// After SIGTERM, how many seconds requests in flight may take before the server stops anyway
    /// (a client that never finishes its request must not keep a deploy waiting).
    #[arg(long, env = "PORTCULLIS_SHUTDOWN_GRACE_SECS", default_value_t = 20)]
    pub shutdown_grace_secs: u64,
    /// Seconds between deletions of expired sessions, pending logins and enrollments.
    #[arg(long, env = "PORTCULLIS_CLEANUP_INTERVAL_SECS", default_value_t = 600, value_parser = clap::value_parser!(u64).range(1..))]
    pub cleanup_interval_secs: u64,
    /// A session unused for this many seconds ends.
    #[arg(long, env = "PORTCULLIS_SESSION_IDLE_SECS", default_value_t = 12 * 3600)]
    pub session_idle_secs: i64,
    /// A session ends this many seconds after login, used or not.
    #[arg(long, env = "PORTCULLIS_SESSION_MAX_SECS", default_value_t = 14 * 24 * 3600)]
    pub session_max_secs: i64,
    /// The URL people reach Portcullis at (e.g. https://id.example.com): the OpenID Connect issuer.
    /// Without it, applications cannot sign in through Portcullis.
    #[arg(long, env = "PORTCULLIS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// The mail server: smtp://user:password@host:587 (STARTTLS), smtps://user:password@host:465
    /// (TLS), or smtp://127.0.0.1:25 (plain, loopback only). Without it, messages wait in the
    /// outbox: `portcullis mail list` shows them.
    #[arg(long, env = "PORTCULLIS_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of mail, e.g. "Portcullis <id@example.com>". Default: portcullis@ the public URL's domain.
    #[arg(long, env = "PORTCULLIS_MAIL_FROM")]
    pub mail_from: Option<String>,
    /// Who may make an account: anyone (open), only addresses an organization invited
    /// (invite-only), or nobody (closed).
    #[arg(long, env = "PORTCULLIS_SIGN_UP", value_enum, default_value_t = SignUp::Open)]
    pub sign_up: SignUp,
    /// Only addresses at these domains (and their subdomains) may sign up, comma-separated.
    #[arg(long, env = "PORTCULLIS_SIGN_UP_DOMAINS", value_delimiter = ',', value_parser = parse_domain)]
    pub sign_up_domains: Vec<String>,
    /// Who may create organizations: anyone, or the operators (`portcullis operators add EMAIL`).
    #[arg(long, env = "PORTCULLIS_ORG_CREATION", value_enum, default_value_t = OrgCreation::Anyone)]
    pub org_creation: OrgCreation,
    /// Text messages as a second factor (`--sms-gateway` and its settings).
    #[command(flatten)]
    pub sms: crate::sms::SmsArgs,
    /// Test builds only: a file holding seconds to add to the clock.
    #[cfg(debug_assertions)]
    #[arg(long, env = "PORTCULLIS_TEST_CLOCK_FILE", hide = true)]
    pub test_clock_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SignUp {
    Open,
    InviteOnly,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OrgCreation {
    Anyone,
    Operators,
}

fn parse_domain(text: &str) -> Result<String, String> {
    let domain = text.trim().trim_start_matches('@').to_ascii_lowercase();
    let valid = domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && !label.starts_with('-')
        });
    if valid {
        Ok(domain)
    } else {
        Err(format!("{text:?} is not a domain such as example.com"))
    }
}

impl Config {
    /// The operator's rules for sign-up and for creating organizations.
    pub fn sign_up_rules(&self) -> (app::policy::SignUpRules, app::policy::OrgCreation) {
        use app::policy::{OrgCreation as Orgs, SignUpMode};
        let mode = match self.sign_up {
            SignUp::Open => SignUpMode::Open,
            SignUp::InviteOnly => SignUpMode::InviteOnly,
            SignUp::Closed => SignUpMode::Closed,
        };
        let orgs = match self.org_creation {
            OrgCreation::Anyone => Orgs::Anyone,
            OrgCreation::Operators => Orgs::Operators,
        };
        (app::policy::SignUpRules { mode, domains: self.sign_up_domains.clone() }, orgs)
    }

    /// An empty `DATABASE_URL` (as `DATABASE_URL= portcullis`) means the default, not an error.
    pub fn database_url(&self) -> String {
        match self.database_url.as_deref().map(str::trim).filter(|url| !url.is_empty()) {
            Some(url) => url.to_string(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("portcullis.db").display()),
        }
    }

    /// The 256-bit server key: from the environment, or a key file made once (mode 0600).
    pub fn load_secret_key(&self) -> Result<[u8; 32], String> {
        if let Some(hex_key) = &self.secret_key {
            return parse_key(hex_key)
                .ok_or_else(|| "PORTCULLIS_SECRET_KEY must be 64 hex characters (32 bytes).".to_string());
        }
        let path = self.data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => parse_key(&text)
                .ok_or_else(|| format!("{} is not a valid key file (64 hex characters).", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key_file(&path),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }
}

impl Config {
    /// The issuer, validated: absolute http(s), the site's root, https unless on the loopback.
    pub fn issuer(&self) -> Result<Option<String>, String> {
        match self.public_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) => app::oidc::discovery::validate_issuer(url).map(Some),
            None => Ok(None),
        }
    }

    /// The mail server and sender, checked at start; `None` without a mail server.
    pub fn smtp(&self) -> Result<Option<(crate::mail::SmtpSettings, String)>, String> {
        let Some(url) = self.smtp_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(None);
        };
        let settings = crate::mail::parse_smtp_url(url)?;
        let issuer = self.issuer()?.ok_or_else(|| {
            "PORTCULLIS_SMTP_URL needs PORTCULLIS_PUBLIC_URL: the links in mail are built from it".to_string()
        })?;
        let from = crate::mail::mail_from(self.mail_from.as_deref(), Some(&issuer))?;
        Ok(Some((settings, from)))
    }

    /// The keys of a rotation still under way.
    pub fn load_previous_keys(&self) -> Result<Vec<[u8; 32]>, String> {
        self.previous_secret_keys
            .iter()
            .filter(|k| !k.trim().is_empty())
            .map(|k| {
                parse_key(k).ok_or_else(|| {
                    "PORTCULLIS_PREVIOUS_SECRET_KEYS must be 64 hex characters each, comma-separated.".to_string()
                })
            })
            .collect()
    }
}

fn parse_trusted_proxy(text: &str) -> Result<ipnet::IpNet, String> {
    app::server::guards::client_ip::parse_trusted(text)
        .ok_or_else(|| format!("{text:?} is not an IP address or network such as 10.0.0.0/8"))
}

pub fn new_key() -> String {
    use rand::RngCore;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    hex::encode(key)
}

fn parse_key(text: &str) -> Option<[u8; 32]> {
    hex::decode(text.trim()).ok()?.try_into().ok()
}

fn create_key_file(path: &Path) -> Result<[u8; 32], String> {
    use std::io::Write;
    let key_hex = new_key();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(key_hex.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a new secret key");
    parse_key(&key_hex).ok_or_else(|| "generated an invalid key".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_64_hex_characters() {
        assert!(parse_key(&"ab".repeat(32)).is_some());
        assert!(parse_key(&"ab".repeat(31)).is_none());
        assert!(parse_key("zz").is_none());
    }

    #[test]
    fn previous_keys_are_a_comma_separated_list() {
        let (a, b) = ("ab".repeat(32), "cd".repeat(32));
        let cli = Cli::parse_from(["portcullis", "--previous-secret-keys", &format!("{a},{b}")]);
        assert_eq!(cli.config.load_previous_keys().unwrap(), vec![[0xab; 32], [0xcd; 32]]);
        let cli = Cli::parse_from(["portcullis", "--previous-secret-keys", "nope"]);
        assert!(cli.config.load_previous_keys().is_err());
        assert_eq!(parse_key(&new_key()).map(|k| k.len()), Some(32));
    }

    #[test]
    fn an_empty_database_url_means_sqlite_in_the_data_dir() {
        let cli = Cli::parse_from(["portcullis", "--data-dir", "/srv/p", "--database-url", ""]);
        assert_eq!(cli.config.database_url(), "sqlite:///srv/p/portcullis.db?mode=rwc");
        let cli = Cli::parse_from(["portcullis", "--database-url", "postgres://db/p"]);
        assert_eq!(cli.config.database_url(), "postgres://db/p");
    }

    #[test]
    fn the_public_url_is_checked_at_start() {
        let issuer = |url: &str| Cli::parse_from(["portcullis", "--public-url", url]).config.issuer();
        assert_eq!(issuer("https://id.example.com/").unwrap().as_deref(), Some("https://id.example.com"));
        assert!(issuer("http://id.example.com").is_err());
        assert!(issuer("https://id.example.com/?a=b").is_err());
        assert_eq!(Cli::parse_from(["portcullis"]).config.issuer(), Ok(None));
    }

    #[test]
    fn sign_up_settings_are_parsed_and_checked() {
        let cli =
            Cli::parse_from(["portcullis", "--sign-up", "invite-only", "--sign-up-domains", "Acme.com,@eu.acme.org"]);
        let (rules, orgs) = cli.config.sign_up_rules();
        assert_eq!(rules.mode, app::policy::SignUpMode::InviteOnly);
        assert_eq!(rules.domains, vec!["acme.com", "eu.acme.org"]);
        assert_eq!(orgs, app::policy::OrgCreation::Anyone);
        assert!(Cli::try_parse_from(["portcullis", "--sign-up-domains", "not a domain"]).is_err());
        assert!(Cli::try_parse_from(["portcullis", "--sign-up", "sometimes"]).is_err());
        let cli = Cli::parse_from(["portcullis", "--org-creation", "operators"]);
        assert_eq!(cli.config.sign_up_rules().1, app::policy::OrgCreation::Operators);
    }

    #[test]
    fn key_file_is_private_and_reused() {
        let dir = std::env::temp_dir().join(format!("portcullis-key-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cli = Cli::parse_from(["portcullis", "--data-dir", dir.to_str().unwrap()]);
        let first = cli.config.load_secret_key().unwrap();
        assert_eq!(first, cli.config.load_secret_key().unwrap());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secret.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
