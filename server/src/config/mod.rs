//! Command line and environment configuration.

use clap::{Parser, ValueEnum};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

mod commands;
mod secret;

pub use commands::*;
pub use secret::Secret;

#[derive(Debug, Parser)]
#[command(
    name = "portcullis",
    // Says whether the site is built in (server/build.rs), which scripts/package.sh checks.
    version = concat!(env!("CARGO_PKG_VERSION"), " (site ", env!("PORTCULLIS_SITE_BUILT_IN"), ")"),
    about = "Portcullis: a self-hosted two-factor authentication hub for organizations."
)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
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
    pub database_url: Option<Secret>,
    /// A file holding the database URL (it may hold a password).
    #[arg(long, env = "DATABASE_URL_FILE")]
    pub database_url_file: Option<PathBuf>,
    /// Address to listen on. Default: 127.0.0.1:3000
    #[arg(long = "addr", env = "PORTCULLIS_ADDR")]
    pub addr: Option<SocketAddr>,
    /// cargo-leptos's name for the address; `--addr` / PORTCULLIS_ADDR wins.
    #[arg(long, env = "LEPTOS_SITE_ADDR", hide = true)]
    pub leptos_site_addr: Option<SocketAddr>,
    /// Serve the site (wasm, js, css, public files) from this folder instead of the one built in.
    #[arg(long, env = "PORTCULLIS_SITE_ROOT")]
    pub site_root: Option<PathBuf>,
    /// cargo-leptos's name for it; `--site-root` / PORTCULLIS_SITE_ROOT wins.
    #[arg(long, env = "LEPTOS_SITE_ROOT", hide = true)]
    pub leptos_site_root: Option<PathBuf>,
    /// 64 hex characters (256 bits). Default: a key file generated in the data dir.
    #[arg(long, env = "PORTCULLIS_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<Secret>,
    /// A file holding the secret key (as `portcullis new-key` prints it).
    #[arg(long, env = "PORTCULLIS_SECRET_KEY_FILE")]
    pub secret_key_file: Option<PathBuf>,
    /// Keys being rotated out, comma-separated: they still decrypt until `portcullis reencrypt` has run.
    #[arg(long, env = "PORTCULLIS_PREVIOUS_SECRET_KEYS", hide_env_values = true, value_delimiter = ',')]
    pub previous_secret_keys: Vec<Secret>,
    /// A file holding the previous keys, separated by commas or line breaks.
    #[arg(long, env = "PORTCULLIS_PREVIOUS_SECRET_KEYS_FILE")]
    pub previous_secret_keys_file: Option<PathBuf>,
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
    /// Seconds to wait for a free database connection before answering 503 (try again).
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
    pub smtp_url: Option<Secret>,
    /// A file holding the mail server's URL (it holds a password).
    #[arg(long, env = "PORTCULLIS_SMTP_URL_FILE")]
    pub smtp_url_file: Option<PathBuf>,
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
    /// Serve Prometheus metrics at /metrics on this address (e.g. 127.0.0.1:9464). Off by default;
    /// not behind the sign-in gate, so keep it on the loopback or a private network.
    #[arg(long, env = "PORTCULLIS_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Where the footer's "Source" link points (AGPL section 13): set it when you run a modified version.
    /// Default: the project's repository.
    #[arg(long, env = "PORTCULLIS_SOURCE_URL")]
    pub source_url: Option<String>,
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

    /// Reads the secrets given as files (`_FILE`) into their settings; once, at start.
    pub fn read_secret_files(&mut self) -> Result<(), String> {
        self.secret_key =
            secret::value_or_file(self.secret_key.take(), self.secret_key_file.as_deref(), "PORTCULLIS_SECRET_KEY")?;
        self.database_url =
            secret::value_or_file(self.database_url.take(), self.database_url_file.as_deref(), "DATABASE_URL")?;
        self.smtp_url =
            secret::value_or_file(self.smtp_url.take(), self.smtp_url_file.as_deref(), "PORTCULLIS_SMTP_URL")?;
        let given = (!self.previous_secret_keys.is_empty()).then(|| "given".parse().ok()).flatten();
        let previous =
            secret::value_or_file(given, self.previous_secret_keys_file.as_deref(), "PORTCULLIS_PREVIOUS_SECRET_KEYS")?;
        if self.previous_secret_keys_file.is_some() {
            let text = previous.as_ref().map(Secret::expose).unwrap_or_default();
            self.previous_secret_keys = text
                .split([',', '\n'])
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .filter_map(|k| k.parse().ok())
                .collect();
        }
        Ok(())
    }

    /// The "Source" link's URL, checked at start: http(s) only.
    pub fn source_url(&self) -> Result<Option<&str>, String> {
        match self.source_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            Some(url) if app::ui::source::valid(url) => Ok(Some(url)),
            Some(url) => Err(format!("PORTCULLIS_SOURCE_URL must be an http(s) URL, not {url:?}")),
            None => Ok(None),
        }
    }

    /// Where to listen: `--addr` (PORTCULLIS_ADDR), else LEPTOS_SITE_ADDR, else 127.0.0.1:3000.
    pub fn site_addr(&self) -> SocketAddr {
        self.addr.or(self.leptos_site_addr).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000)))
    }

    /// A folder to serve the site from, if one is named (an empty value names none).
    pub fn site_root(&self) -> Option<&std::path::Path> {
        [&self.site_root, &self.leptos_site_root]
            .into_iter()
            .flatten()
            .map(PathBuf::as_path)
            .find(|p| !p.as_os_str().is_empty())
    }

    /// An empty `DATABASE_URL` (as `DATABASE_URL= portcullis`) means the default, not an error.
    /// A SQLite file is made when missing, whichever way its URL is written.
    pub fn database_url(&self) -> String {
        match self.database_url.as_ref().map(|u| u.expose().trim()).filter(|url| !url.is_empty()) {
            Some(url) if url.starts_with("sqlite:") && !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            Some(url) => url.to_string(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("portcullis.db").display()),
        }
    }

    /// The 256-bit server key: from the environment, or a key file made once (mode 0600).
    pub fn load_secret_key(&self) -> Result<[u8; 32], String> {
        if let Some(hex_key) = &self.secret_key {
            return parse_key(hex_key.expose())
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
        let Some(url) = self.smtp_url.as_ref().map(|u| u.expose().trim()).filter(|u| !u.is_empty()) else {
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
            .filter(|k| !k.expose().trim().is_empty())
            .map(|k| {
                parse_key(k.expose()).ok_or_else(|| {
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
        let url = |given: &str| Cli::parse_from(["portcullis", "--database-url", given]).config.database_url();
        assert_eq!(url("sqlite:///srv/new.db"), "sqlite:///srv/new.db?mode=rwc", "a new file is made");
        assert_eq!(url("sqlite:///srv/p.db?mode=ro"), "sqlite:///srv/p.db?mode=ro");
        assert_eq!(url("sqlite://p.db?cache=shared"), "sqlite://p.db?cache=shared&mode=rwc");
    }

    #[test]
    fn the_listen_address_has_its_own_name_and_cargo_leptoss_still_works() {
        let addr = |args: &[&str]| Cli::parse_from([&["portcullis"], args].concat()).config.site_addr().to_string();
        assert_eq!(addr(&[]), "127.0.0.1:3000");
        assert_eq!(addr(&["--leptos-site-addr", "127.0.0.1:4000"]), "127.0.0.1:4000");
        assert_eq!(addr(&["--leptos-site-addr", "127.0.0.1:4000", "--addr", "0.0.0.0:80"]), "0.0.0.0:80");
    }

    #[test]
    fn secret_files_fill_their_settings_and_the_config_never_prints_a_secret() {
        let dir = std::env::temp_dir().join(format!("portcullis-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (key, old) = ("ab".repeat(32), "cd".repeat(32));
        std::fs::write(dir.join("key"), format!("{key}\n")).unwrap();
        std::fs::write(dir.join("old"), format!("{old}\n{old}\n")).unwrap();
        std::fs::write(dir.join("db"), "postgres://u:pw@db/p\n").unwrap();
        let path = |name: &str| dir.join(name).display().to_string();
        let mut cli = Cli::parse_from([
            "portcullis",
            "--secret-key-file",
            &path("key"),
            "--previous-secret-keys-file",
            &path("old"),
            "--database-url-file",
            &path("db"),
            "--smtp-url",
            "smtp://ann:hunter2@mail.example.com",
        ]);
        cli.config.read_secret_files().unwrap();
        assert_eq!(cli.config.load_secret_key().unwrap(), [0xab; 32]);
        assert_eq!(cli.config.load_previous_keys().unwrap(), vec![[0xcd; 32], [0xcd; 32]]);
        assert_eq!(cli.config.database_url(), "postgres://u:pw@db/p");
        let printed = format!("{cli:?}");
        for secret in [key.as_str(), old.as_str(), "pw@db", "hunter2"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        let mut both = Cli::parse_from(["portcullis", "--secret-key", &key, "--secret-key-file", &path("key")]);
        assert!(both.config.read_secret_files().unwrap_err().contains("not both"));
        std::fs::remove_dir_all(dir).unwrap();
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
