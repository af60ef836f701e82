//! Configuration, layered: defaults < `daftar.toml` (in the root, or `--config`) < environment
//! (`DAFTAR_*`) < flags. Raw options are resolved once into a validated [`Config`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::Location;
use crate::error::{Error, Result};

/// The default address: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7373";
/// The configuration file's name in the root.
pub const CONFIG_FILE: &str = "daftar.toml";

/// `daftar.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub root: Option<PathBuf>,
    pub index: Option<PathBuf>,
    pub addr: Option<String>,
    pub pull: Option<String>,
    pub poll: Option<bool>,
    pub watch: Option<bool>,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub index: PathBuf,
    pub addr: SocketAddr,
    pub config_file: Option<PathBuf>,
    pub watch: bool,
    pub poll: bool,
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn read_file(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    toml::from_str(&text).map_err(|e| {
        let line = e.span().map_or(1, |s| 1 + text[..s.start.min(text.len())].matches('\n').count());
        Error::invalid("bad_config", format!("{}:{line}: {}", path.display(), e.message()))
    })
}

/// The knowledge root from flag, environment, file or default (`./knowledge` when it exists, else `.`).
pub fn root(flag: Option<&Path>, file: Option<&FileConfig>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .or_else(|| env_path("DAFTAR_ROOT"))
        .or_else(|| file.and_then(|f| f.root.clone()))
        .unwrap_or_else(
            || {
                if Path::new("knowledge").is_dir() {
                    PathBuf::from("knowledge")
                } else {
                    PathBuf::from(".")
                }
            },
        )
}

/// Resolves a location (plus serve's address) into a configuration.
pub fn load(location: &Location, addr: Option<&str>) -> Result<Config> {
    let explicit = location.config.clone().or_else(|| env_path("DAFTAR_CONFIG"));
    let explicit_file = match &explicit {
        Some(p) => Some(read_file(p)?),
        None => None,
    };
    let root = root(location.root.as_deref(), explicit_file.as_ref());
    if !root.is_dir() {
        return Err(Error::invalid("bad_root", format!("the knowledge root {} is not a folder", root.display())));
    }
    let (file, config_file) = match (explicit_file, explicit) {
        (Some(f), Some(p)) => (f, Some(p)),
        _ => {
            let candidate = root.join(CONFIG_FILE);
            if candidate.is_file() {
                (read_file(&candidate)?, Some(candidate))
            } else {
                (FileConfig::default(), None)
            }
        }
    };
    let index = location
        .index
        .clone()
        .or_else(|| env_path("DAFTAR_INDEX"))
        .or(file.index.clone())
        .unwrap_or_else(|| root.join(crate::vault::INDEX_DIR));
    let addr_text = addr
        .map(str::to_string)
        .or_else(|| std::env::var("DAFTAR_ADDR").ok().filter(|s| !s.is_empty()))
        .or(file.addr.clone())
        .unwrap_or_else(|| DEFAULT_ADDR.to_string());
    let addr: SocketAddr = addr_text
        .parse()
        .map_err(|_| Error::invalid("bad_addr", format!("`{addr_text}` is not an address like 127.0.0.1:7373")))?;
    Ok(Config { root, index, addr, config_file, watch: file.watch.unwrap_or(true), poll: file.poll.unwrap_or(false) })
}
