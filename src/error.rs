//! The library's errors. A user error (a bad query, a bad date, an unknown note, a refused path)
//! and an internal error (I/O, the index) are different variants, so the HTTP layer and the CLI
//! can tell a person what they got wrong and keep internal detail in the log.

use std::path::PathBuf;

/// Everything that can go wrong in daftar.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The client's input was wrong; the message is for them.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// A note or file that does not exist (or that the client may not see).
    #[error("{0}")]
    NotFound(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("I/O error: {0}")]
    Storage(#[from] std::io::Error),
    #[error("the index at {0} is in use by another daftar process (it holds the writer lock)")]
    Locked(PathBuf),
    #[error("index error: {0}")]
    Index(#[from] tantivy::TantivyError),
}

impl Error {
    /// A client error with a stable code.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Error {
        Error::Invalid { code, message: message.into() }
    }

    /// An I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io { path: path.into(), source }
    }

    /// True for mistakes of the client (4xx), false for internal failures (5xx).
    pub fn is_client_error(&self) -> bool {
        matches!(self, Error::Invalid { .. } | Error::NotFound(_))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
