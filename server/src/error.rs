//! What stops the binary from starting or serving, as the operator reads it.

use std::path::PathBuf;

use app::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting is malformed or does not fit the stored data (a key).
    #[error("{0}")]
    Config(String),
    #[error("cannot {action} {}: {source}", path.display())]
    File {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("serving failed: {0}")]
    Serve(#[source] std::io::Error),
    /// The application refused (the key check, re-encryption, the demo seed).
    #[error("{0}")]
    App(#[from] AppError),
}

impl StartupError {
    pub fn file(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::File { action, path, source }
    }
}
