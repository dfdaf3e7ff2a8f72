//! `portcullis backup FILE`: a consistent copy of the SQLite database, made
//! while the server runs (`VACUUM INTO` reads one snapshot; writers go on),
//! private to its owner. PostgreSQL has its own tools: it says which.

use std::path::Path;

use crate::error::StartupError;

/// Copies the database at `url` (already opened as `db`) to `file`.
pub async fn backup(db: &app::server::db::Db, url: &str, file: &Path) -> Result<String, StartupError> {
    if url.starts_with("postgres") {
        return Err(StartupError::Config(format!(
            "with PostgreSQL, back up with its own tools: pg_dump --format=custom --file={} \"$DATABASE_URL\" \
             (or continuous archiving); keep the secret key too",
            file.display()
        )));
    }
    if file.exists() {
        return Err(StartupError::Config(format!("{} exists already: name a new file", file.display())));
    }
    let target = file.to_str().ok_or_else(|| StartupError::Config("the backup's path is not UTF-8".into()))?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(db)
        .await
        .map_err(|e| StartupError::Config(format!("cannot write the backup to {}: {e}", file.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            .map_err(StartupError::file("make the backup private", file))?;
    }
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    Ok(format!(
        "backed up the database to {} ({size} bytes), readable by you only.\n\
         Keep the secret key as well, apart from this file: without it the authenticator secrets, \
         backup codes and signing keys in the backup cannot be opened (and whoever has both has everything).",
        file.display()
    ))
}
