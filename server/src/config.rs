//! Command line and environment configuration.

use clap::{Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(name = "portcullis", version, about = "Portcullis: a self-hosted two-factor authentication hub for organizations.")]
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
    /// A session unused for this many seconds ends.
    #[arg(long, env = "PORTCULLIS_SESSION_IDLE_SECS", default_value_t = 12 * 3600)]
    pub session_idle_secs: i64,
    /// A session ends this many seconds after login, used or not.
    #[arg(long, env = "PORTCULLIS_SESSION_MAX_SECS", default_value_t = 14 * 24 * 3600)]
    pub session_max_secs: i64,
    /// Test builds only: a file holding seconds to add to the clock.
    #[cfg(debug_assertions)]
    #[arg(long, env = "PORTCULLIS_TEST_CLOCK_FILE", hide = true)]
    pub test_clock_file: Option<PathBuf>,
}

impl Config {
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("portcullis.db").display()),
        }
    }

    /// The 256-bit server key: from the environment, or a key file made once (mode 0600).
    pub fn load_secret_key(&self) -> Result<[u8; 32], String> {
        if let Some(hex_key) = &self.secret_key {
            return parse_key(hex_key).ok_or_else(|| "PORTCULLIS_SECRET_KEY must be 64 hex characters (32 bytes).".to_string());
        }
        let path = self.data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => parse_key(&text).ok_or_else(|| format!("{} is not a valid key file (64 hex characters).", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key_file(&path),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }
}

fn parse_key(text: &str) -> Option<[u8; 32]> {
    hex::decode(text.trim()).ok()?.try_into().ok()
}

fn create_key_file(path: &Path) -> Result<[u8; 32], String> {
    use rand::RngCore;
    use std::io::Write;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(hex::encode(key).as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a new secret key");
    Ok(key)
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
