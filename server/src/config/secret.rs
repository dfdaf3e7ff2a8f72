//! Secrets in the configuration: never printed (`Debug` and clap's help hide
//! them), and each may come from a file instead, named by its `_FILE`
//! variable (Docker secrets, systemd's `LoadCredential=`): then it is in no
//! process's environment or command line.

use std::path::Path;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self(text.to_string()))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(redacted)")
    }
}

/// The secret given directly, or read from `file` (one trailing newline or
/// spaces dropped, as editors and `echo` leave them); both at once is a mistake.
pub fn value_or_file(value: Option<Secret>, file: Option<&Path>, name: &str) -> Result<Option<Secret>, String> {
    let Some(path) = file else { return Ok(value) };
    if value.is_some() {
        return Err(format!("set {name} or {name}_FILE, not both"));
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("{name}_FILE: cannot read {}: {e}", path.display()))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{name}_FILE: {} is empty", path.display()));
    }
    Ok(Some(Secret(text.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_never_printed() {
        let secret: Secret = "hunter2".parse().unwrap();
        assert_eq!(format!("{secret:?}"), "Secret(redacted)");
        assert_eq!(format!("{:?}", Some(secret.clone())), "Some(Secret(redacted))");
        assert_eq!(secret.expose(), "hunter2");
    }

    #[test]
    fn a_secret_comes_from_its_file_trimmed_and_never_from_both() {
        let path = std::env::temp_dir().join(format!("portcullis-secret-{}", std::process::id()));
        std::fs::write(&path, "s3cret\n").unwrap();
        let read = value_or_file(None, Some(&path), "X").unwrap();
        assert_eq!(read.map(|s| s.expose().to_string()).as_deref(), Some("s3cret"));
        let both = value_or_file(Some("a".parse().unwrap()), Some(&path), "X").unwrap_err();
        assert_eq!(both, "set X or X_FILE, not both");
        std::fs::write(&path, "\n").unwrap();
        assert!(value_or_file(None, Some(&path), "X").unwrap_err().contains("is empty"));
        std::fs::remove_file(&path).unwrap();
        assert!(value_or_file(None, Some(&path), "X").unwrap_err().contains("cannot read"));
        assert_eq!(value_or_file(None, None, "X").unwrap(), None);
    }
}
