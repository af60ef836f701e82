//! Vetting the paths clients name. An id is a `/`-separated path relative to the root; anything
//! that could reach outside the root or into daftar's or git's own files is refused with a reason.

use std::path::{Path, PathBuf};

use crate::config::CONFIG_FILE;

/// The index folder inside the root; it ignores itself for git and the watcher never reacts to it.
pub const INDEX_DIR: &str = ".daftar";

/// Longest id accepted, in bytes.
pub const MAX_ID_BYTES: usize = 1024;

/// Why a client-supplied path was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("the path is empty")]
    Empty,
    #[error("the path is longer than {MAX_ID_BYTES} bytes")]
    TooLong,
    #[error("the path contains a NUL byte, a backslash or a control character")]
    BadCharacter,
    #[error("absolute paths are not allowed")]
    Absolute,
    #[error("`..` is not allowed in a path")]
    Parent,
    #[error("hidden files and folders (`.git/`, `.daftar/`, dotfiles) are not served")]
    Hidden,
    #[error("the configuration file is not served")]
    Config,
    #[error("the path leaves the knowledge root")]
    Outside,
    #[error("no such file")]
    NotFound,
}

/// Checks the shape of an id without touching the disk.
pub fn vet(id: &str) -> Result<(), PathError> {
    if id.is_empty() {
        return Err(PathError::Empty);
    }
    if id.len() > MAX_ID_BYTES {
        return Err(PathError::TooLong);
    }
    if id.chars().any(|c| c == '\\' || c.is_control()) {
        return Err(PathError::BadCharacter);
    }
    if id.starts_with('/') || id.as_bytes().get(1) == Some(&b':') {
        return Err(PathError::Absolute);
    }
    for segment in id.split('/') {
        match segment {
            ".." => return Err(PathError::Parent),
            s if s.starts_with('.') => return Err(PathError::Hidden),
            _ => {}
        }
    }
    // `daftar.toml/` and `daftar.toml//` name the same file (found by fuzzing `path_vet`).
    if id.split('/').filter(|s| !s.is_empty()).eq([CONFIG_FILE]) {
        return Err(PathError::Config);
    }
    Ok(())
}

/// The file an id names under `root` (canonical), refusing symlinks whose target leaves the root,
/// is hidden or is the config file.
pub fn resolve(root: &Path, id: &str) -> Result<PathBuf, PathError> {
    vet(id)?;
    let path = root.join(id.split('/').filter(|s| !s.is_empty()).collect::<PathBuf>());
    let real = std::fs::canonicalize(&path).map_err(|_| PathError::NotFound)?;
    if !real.starts_with(root) {
        return Err(PathError::Outside);
    }
    let rel = real.strip_prefix(root).map_err(|_| PathError::Outside)?;
    if rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.')) {
        return Err(PathError::Hidden);
    }
    // A symlink named like a note may lead to the config file (found by fuzzing `path_vet`).
    if rel == Path::new(CONFIG_FILE) {
        return Err(PathError::Config);
    }
    if !real.is_file() {
        return Err(PathError::NotFound);
    }
    Ok(real)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vetting_table() {
        let long = "a/".repeat(600);
        let cases: &[(&str, Result<(), PathError>)] = &[
            ("a/b.md", Ok(())),
            ("طرح/یادداشت.md", Ok(())),
            ("", Err(PathError::Empty)),
            ("../etc/passwd", Err(PathError::Parent)),
            ("a/../../b", Err(PathError::Parent)),
            ("/etc/passwd", Err(PathError::Absolute)),
            ("C:/x", Err(PathError::Absolute)),
            ("a\\b", Err(PathError::BadCharacter)),
            ("a\0b", Err(PathError::BadCharacter)),
            (".git/config", Err(PathError::Hidden)),
            (".daftar/meta.json", Err(PathError::Hidden)),
            ("a/.env", Err(PathError::Hidden)),
            ("daftar.toml", Err(PathError::Config)),
            ("daftar.toml/", Err(PathError::Config)),
            ("daftar.toml//", Err(PathError::Config)),
            (long.as_str(), Err(PathError::TooLong)),
        ];
        for (id, want) in cases {
            assert_eq!(&vet(id), want, "{id:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn resolve_refuses_the_config_file_through_a_symlink() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = std::fs::canonicalize(dir.path()).expect("canonical");
        std::fs::write(root.join("daftar.toml"), "[git]\nwebhook_secret = \"s\"\n").expect("write");
        std::fs::write(root.join("a.md"), "# A\n").expect("write");
        std::os::unix::fs::symlink(root.join("daftar.toml"), root.join("config.md")).expect("symlink");
        assert_eq!(resolve(&root, "config.md"), Err(PathError::Config));
        assert_eq!(resolve(&root, "daftar.toml/"), Err(PathError::Config));
        assert_eq!(resolve(&root, "a.md"), Ok(root.join("a.md")));
    }
}
