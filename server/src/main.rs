//! The `portcullis` binary: configuration, start-up, serving and shutdown.
// Leptos view types nest deeply.
#![recursion_limit = "256"]

mod access_log;
mod allocator;
mod backup;
mod config;
mod demo;
mod error;
mod export;
mod flash;
mod mail;
mod metrics;
mod middleware;
mod oidc;
mod operator;
mod outbox;
mod rest;
mod router;
mod site;
mod sms;
mod upstream;

use std::future::IntoFuture;
use std::time::Duration;

use app::server::db::{self, PoolSettings};
use app::server::key_rotation;
use app::server::store::outbox::Channel;
use app::server::{AppState, Clock, PasswordHasher, Settings};
use app::twofactor::secret_box::Keys;
use clap::Parser;
use config::{Cli, Command, Config, LogFormat, MailCommand, SigningKeyCommand};
use error::StartupError;
use leptos::prelude::LeptosOptions;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    allocator::configure();
    let cli = Cli::parse();
    // Serving logs to stdout as always; the other commands log to stderr, so
    // that what they print (`clients add` prints JSON) stays clean.
    let serving = matches!(cli.command, None | Some(Command::Serve | Command::Demo));
    init_logging(cli.config.log_format, serving);
    if let Err(message) = run(cli).await {
        tracing::error!("{message}");
        eprintln!("portcullis: {message}");
        std::process::exit(1);
    }
}

fn init_logging(format: LogFormat, to_stdout: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let writer = tracing_subscriber::fmt::writer::BoxMakeWriter::new(move || -> Box<dyn std::io::Write> {
        if to_stdout {
            Box::new(std::io::stdout())
        } else {
            Box::new(std::io::stderr())
        }
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn run(cli: Cli) -> Result<(), StartupError> {
    let mut config = cli.config;
    config.read_secret_files().map_err(StartupError::Config)?;
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::NewKey = command {
        println!("{}", config::new_key());
        return Ok(());
    }
    if let Command::Migrate = command {
        // The schema only: no key file is made and no hashing threads start.
        open_database(&config).await?;
        tracing::info!("migrations applied");
        return Ok(());
    }
    if let Command::Backup { file } = &command {
        // The database only: no key is needed to copy it, and none is made.
        let db = open_database(&config).await?;
        println!("{}", backup::backup(&db, &config.database_url(), file).await?);
        return Ok(());
    }
    let state = build_state(&config).await?;
    match command {
        Command::Reencrypt => reencrypt(&state).await,
        Command::Demo => {
            demo::seed(&state).await?;
            serve(&config, state).await
        }
        Command::Clients(command) => oidc::cli::clients(&state, command).await,
        Command::SigningKey(SigningKeyCommand::Rotate) => oidc::cli::rotate_signing_key(&state).await,
        Command::Mail(MailCommand::List { all }) => mail::list(&state, all).await,
        Command::Operators(command) => operator::operators(&state, command).await,
        Command::Users(command) => operator::users(&state, command).await,
        Command::Orgs(command) => operator::orgs(&state, command).await,
        Command::Providers(command) => upstream::cli::providers(&state, command).await,
        Command::Serve | Command::NewKey | Command::Migrate | Command::Backup { .. } => serve(&config, state).await,
    }
}

async fn reencrypt(state: &AppState) -> Result<(), StartupError> {
    let report = key_rotation::reencrypt(&state.db, &state.keys).await?;
    println!(
        "re-sealed {} values under the current key; {} were already; {} changed meanwhile (kept); {} open with no configured key",
        report.resealed, report.current, report.changed_meanwhile, report.undecryptable
    );
    if report.undecryptable > 0 {
        return Err(StartupError::Config(format!(
            "{} stored values open with no configured key: keep the key that sealed them in PORTCULLIS_PREVIOUS_SECRET_KEYS and run again",
            report.undecryptable
        )));
    }
    if report.changed_meanwhile > 0 {
        println!("run it once more to re-seal the values that changed while it ran");
    }
    Ok(())
}

/// Connects to the database, creating the data dir and the SQLite file
/// privately first, and applies the migrations.
async fn open_database(config: &Config) -> Result<db::Db, StartupError> {
    let url = config.database_url();
    // The data dir holds the key file, and the database unless DATABASE_URL points elsewhere.
    private_dir(&config.data_dir).map_err(StartupError::file("create data dir", &config.data_dir))?;
    if let Some(path) = sqlite_file(&url) {
        // A URL may name a file in a folder that does not exist yet.
        if let Some(folder) = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
            private_dir(folder).map_err(StartupError::file("create the database's folder", folder))?;
        }
        private_file(path).map_err(StartupError::file("create the database", path))?;
    }
    let pool = PoolSettings {
        max_connections: config.db_max_connections,
        acquire_timeout: Duration::from_secs(config.db_acquire_timeout_secs),
    };
    Ok(db::connect(&url, &pool).await?)
}

async fn build_state(config: &Config) -> Result<AppState, StartupError> {
    let db = open_database(config).await?;
    let keys = Keys::with_previous(
        &config.load_secret_key().map_err(StartupError::Config)?,
        &config.load_previous_keys().map_err(StartupError::Config)?,
    );
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let hasher = PasswordHasher::new(cores)?;
    let (sign_up, org_creation) = config.sign_up_rules();
    let settings = Settings {
        sign_up,
        org_creation,
        secure_cookies: config.secure_cookies,
        session_idle_secs: config.session_idle_secs,
        session_absolute_secs: config.session_max_secs,
        trusted_proxies: config.trusted_proxies.clone(),
        public_url: config.issuer().map_err(StartupError::Config)?,
        sms: config.sms.load().map_err(StartupError::Config)?.map(|(settings, _)| settings),
    };
    key_rotation::check_keys(&db, &keys).await?.map_err(StartupError::Config)?;
    Ok(AppState::new(db, hasher, clock(config), settings, keys))
}

/// The data dir holds secrets: only our user may enter it (0700 when we create it).
fn private_dir(path: &std::path::Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// SQLite creates its file with the umask's mode (often 0644), and its WAL and
/// shared-memory files with the database file's: so we create it first, 0600.
fn private_file(path: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(|_| ())
}

/// The file of a `sqlite://path?…` URL, if it names one.
fn sqlite_file(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    (!path.is_empty() && !path.starts_with(":memory:") && !query.contains("mode=memory")).then_some(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_sqlite_file_is_found_in_its_url_and_memory_has_none() {
        assert_eq!(super::sqlite_file("sqlite:///d/portcullis.db?mode=rwc"), Some("/d/portcullis.db"));
        assert_eq!(super::sqlite_file("sqlite:data.db"), Some("data.db"));
        assert_eq!(super::sqlite_file("sqlite::memory:"), None);
        assert_eq!(super::sqlite_file("sqlite://x?mode=memory"), None);
        assert_eq!(super::sqlite_file("postgres://h/db"), None);
    }
}

fn clock(config: &Config) -> Clock {
    #[cfg(debug_assertions)]
    if let Some(path) = &config.test_clock_file {
        tracing::warn!("using the test clock: never do this in production");
        return Clock::OffsetFile(path.clone());
    }
    let _ = config;
    Clock::System
}

fn leptos_options(config: &Config, site: &site::Site) -> LeptosOptions {
    // cargo-leptos sets LEPTOS_* variables; a bare binary falls back to these.
    let from_cargo_leptos = std::env::var_os("LEPTOS_OUTPUT_NAME").is_some();
    let mut options = from_cargo_leptos
        .then(|| leptos::config::get_configuration(None).ok())
        .flatten()
        .map(|c| c.leptos_options)
        .unwrap_or_else(|| LeptosOptions::builder().output_name("portcullis").site_pkg_dir("pkg").build());
    options.site_root = site.root().into();
    options.site_addr = config.site_addr();
    // Hashed file names (`hash-files`): the hash file built in, or cargo-leptos's next to the binary.
    let hash_file =
        std::env::var("LEPTOS_HASH_FILE_NAME").map(Into::into).unwrap_or_else(|_| options.hash_file.clone());
    let hashes = site.hashes(&hash_file);
    options.hash_file = hash_file;
    options.hash_files = hashes.is_some();
    app::ui::assets::init(hashes.as_deref());
    options
}

async fn serve(config: &Config, state: AppState) -> Result<(), StartupError> {
    let site = site::Site::choose(config.site_root());
    match &site {
        site::Site::Embedded => tracing::info!("serving the site built into this binary"),
        site::Site::Folder(folder) => tracing::info!(folder = %folder.display(), "serving the site from a folder"),
    }
    let options = leptos_options(config, &site);
    let addr = options.site_addr;
    app::ui::source::init(config.source_url().map_err(StartupError::Config)?);
    if let Some(metrics_addr) = config.metrics_addr {
        metrics::serve(metrics_addr, state.clone()).await?;
    }
    spawn_cleanup(state.clone(), Duration::from_secs(config.cleanup_interval_secs));
    match config.smtp().map_err(StartupError::Config)? {
        Some((smtp, from)) => {
            let base = state.settings.public_url.clone().unwrap_or_default();
            let deliverer =
                mail::SmtpDeliverer::new(&smtp, &from, state.keys.clone(), base).map_err(StartupError::Config)?;
            tracing::info!(host = %smtp.host, port = smtp.port, security = ?smtp.security, "mail is sent through SMTP");
            let every = Duration::from_secs(OUTBOX_EVERY_SECS);
            outbox::spawn(state.clone(), (Channel::Mail, std::sync::Arc::new(deliverer)), every);
        }
        None => tracing::info!(
            "no mail server is configured (PORTCULLIS_SMTP_URL): messages wait in the outbox; `portcullis mail list` shows them"
        ),
    }
    match config.sms.load().map_err(StartupError::Config)? {
        Some((settings, gateway)) => {
            let deliverer = sms::SmsDeliverer::new(gateway, state.keys.clone(), state.settings.public_url.as_deref());
            tracing::info!(
                gateway = ?config.sms.sms_gateway,
                daily_limit = settings.daily_limit,
                "text messages are offered as a second factor"
            );
            let every = Duration::from_secs(OUTBOX_EVERY_SECS);
            outbox::spawn(state.clone(), (Channel::Sms, std::sync::Arc::new(deliverer)), every);
        }
        None => tracing::info!("text messages are not offered (no PORTCULLIS_SMS_GATEWAY)"),
    }
    match &state.settings.public_url {
        Some(issuer) => {
            tracing::info!(%issuer, "OpenID Connect provider on: applications can sign in through Portcullis");
            let deliverer = oidc::backchannel::BackchannelDeliverer::new(state.clone());
            let every = Duration::from_secs(OUTBOX_EVERY_SECS);
            outbox::spawn(state.clone(), (Channel::Backchannel, std::sync::Arc::new(deliverer)), every);
        }
        None => tracing::info!(
            "OpenID Connect provider off: set PORTCULLIS_PUBLIC_URL to let applications sign in through Portcullis"
        ),
    }
    let app = router::build(options, site, state);
    let listen = |source| StartupError::Listen { addr, source };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(listen)?;
    let addr = listener.local_addr().map_err(listen)?;
    tracing::info!("Portcullis is listening on http://{addr}");
    println!("Portcullis is running at http://{addr}");
    allocator::release_startup_memory();
    // Without TCP_NODELAY a response written in two parts (static files: headers, then the
    // body) waits for the client's delayed ACK: about 40 ms per request on a kept-alive connection.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp: &mut tokio::net::TcpStream| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    let (stopping, stop_asked) = tokio::sync::oneshot::channel();
    let serving = axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            let _ = stopping.send(());
        });
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    let deadline = async move {
        match stop_asked.await {
            Ok(()) => tokio::time::sleep(grace).await,
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        served = serving.into_future() => served.map_err(StartupError::Serve)?,
        () = deadline => tracing::warn!(
            grace_secs = grace.as_secs(),
            "requests still in flight after the shutdown grace period: stopping anyway"
        ),
    }
    tracing::info!("stopped");
    Ok(())
}

/// How often the outbox's worker looks for messages to deliver.
const OUTBOX_EVERY_SECS: u64 = 2;

/// Deletes expired sessions now and then. Plain `DELETE ... WHERE expired`
/// statements: idempotent, so every instance may run them at the same time.
fn spawn_cleanup(state: AppState, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            match state.delete_expired().await {
                Ok(n) if n > 0 => {
                    tracing::info!(deleted = n, "expired sessions, pending logins and enrollments removed")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "session clean-up failed"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
