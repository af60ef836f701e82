//! Configuration, layered: defaults < `daftar.toml` (in the root, or `--config`) < environment
//! (`DAFTAR_*`) < flags. Raw options are resolved once into a validated [`Config`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

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
    pub git: Option<GitFileConfig>,
    /// Access control: tokens and their groups.
    pub auth: Option<crate::access::AuthConfig>,
    pub search: Option<SearchFileConfig>,
}

/// `[search]` in `daftar.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchFileConfig {
    /// Words of at least this many letters forgive one typo (default 5).
    pub one_typo_from: Option<usize>,
    /// Words of at least this many letters forgive two typos (default 9).
    pub two_typos_from: Option<usize>,
}

/// `[git]` in `daftar.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitFileConfig {
    /// The shared secret of `POST /api/hooks/git` (`DAFTAR_WEBHOOK_SECRET` overrides it).
    pub webhook_secret: Option<String>,
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
    /// Pull from the git upstream at this interval (`--pull`, `DAFTAR_PULL`, `pull` in the file).
    pub pull: Option<Duration>,
    /// The webhook's shared secret; without one, `POST /api/hooks/git` does not exist.
    pub webhook_secret: Option<String>,
    /// Access control (`[auth]`); `None`: everyone reads everything.
    pub auth: Option<crate::access::Auth>,
    /// From which word lengths searches forgive typos (`[search]`).
    pub typos: crate::index::search::Typos,
}

impl Config {
    /// Defaults for a root (index in `<root>/.daftar`, loopback address, watching natively, no pulls).
    pub fn for_root(root: &Path) -> Config {
        Config {
            root: root.to_path_buf(),
            index: root.join(crate::vault::INDEX_DIR),
            addr: SocketAddr::from(([127, 0, 0, 1], 7373)),
            config_file: None,
            watch: true,
            poll: false,
            pull: None,
            webhook_secret: None,
            auth: None,
            typos: Default::default(),
        }
    }
}

/// Reads an interval: a number with a unit (`500ms`, `60s`, `5m`, `1h`), seconds without one.
pub fn parse_interval(text: &str) -> Result<Duration> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let bad = || Error::invalid("bad_interval", format!("`{text}` is not an interval like 30s, 5m or 1h"));
    let n: f64 = number.parse().map_err(|_| bad())?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" | "sec" | "secs" => n,
        "m" | "min" | "mins" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(bad()),
    };
    if !(secs.is_finite() && secs > 0.0 && secs <= 7.0 * 86400.0) {
        return Err(Error::invalid("bad_interval", format!("`{text}` must be more than 0 and at most a week")));
    }
    Ok(Duration::from_secs_f64(secs))
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

/// The typo thresholds of `[search]`: 1 ≤ one ≤ two (a large number turns that budget off).
fn typos(search: Option<&SearchFileConfig>, file: Option<&Path>) -> Result<crate::index::search::Typos> {
    let default = crate::index::search::Typos::default();
    let Some(search) = search else {
        return Ok(default);
    };
    let typos = crate::index::search::Typos {
        one: search.one_typo_from.unwrap_or(default.one),
        two: search.two_typos_from.unwrap_or(default.two.max(search.one_typo_from.unwrap_or(0))),
    };
    if typos.one == 0 || typos.one > typos.two {
        let file = file.map_or_else(|| CONFIG_FILE.to_string(), |f| f.display().to_string());
        return Err(Error::invalid(
            "bad_config",
            format!("{file}: [search] needs 1 <= one_typo_from <= two_typos_from, got {} and {}", typos.one, typos.two),
        ));
    }
    Ok(typos)
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
    let pull = std::env::var("DAFTAR_PULL").ok().filter(|s| !s.is_empty()).or(file.pull.clone());
    let pull = pull.as_deref().map(parse_interval).transpose()?;
    let webhook_secret = std::env::var("DAFTAR_WEBHOOK_SECRET")
        .ok()
        .or_else(|| file.git.as_ref().and_then(|g| g.webhook_secret.clone()))
        .filter(|s| !s.trim().is_empty());
    let auth = match (&file.auth, &config_file) {
        (Some(a), Some(path)) => Some(crate::access::Auth::from_config(a, path)?),
        _ => None,
    };
    let typos = typos(file.search.as_ref(), config_file.as_deref())?;
    Ok(Config {
        typos,
        auth,
        root,
        index,
        addr,
        config_file,
        watch: file.watch.unwrap_or(true),
        poll: file.poll.unwrap_or(false),
        pull,
        webhook_secret,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals() {
        for (text, secs) in [("60s", 60.0), ("5m", 300.0), ("1h", 3600.0), ("500ms", 0.5), ("90", 90.0), ("1.5m", 90.0)]
        {
            assert_eq!(parse_interval(text).expect(text), Duration::from_secs_f64(secs), "{text}");
        }
        for bad in ["", "s", "0s", "-5s", "5 parsecs", "9999h"] {
            assert!(parse_interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn typo_thresholds_come_from_the_search_table() {
        let read = |text: &str| typos(toml::from_str::<FileConfig>(text).expect("parse").search.as_ref(), None);
        assert_eq!(read("").expect("default"), crate::index::search::Typos::default());
        let t = read("[search]\none_typo_from = 4\ntwo_typos_from = 7\n").expect("valid");
        assert_eq!((t.one, t.two), (4, 7));
        // Raising one threshold past the other's default moves the other along.
        let t = read("[search]\none_typo_from = 12\n").expect("valid");
        assert_eq!((t.one, t.two), (12, 12));
        for bad in ["[search]\none_typo_from = 0\n", "[search]\none_typo_from = 6\ntwo_typos_from = 5\n"] {
            let err = read(bad).expect_err(bad).to_string();
            assert!(err.contains("one_typo_from"), "{err}");
        }
        assert!(toml::from_str::<FileConfig>("[search]\ntypos = 1\n").is_err());
    }

    #[test]
    fn the_webhook_secret_lives_under_git() {
        let f: FileConfig = toml::from_str("pull = \"5m\"\n[git]\nwebhook_secret = \"x\"\n").expect("parse");
        assert_eq!(f.git.and_then(|g| g.webhook_secret).as_deref(), Some("x"));
        assert!(toml::from_str::<FileConfig>("[git]\nsecret = \"x\"\n").is_err());
    }
}
