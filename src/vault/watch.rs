//! Watching the root. Watcher events are hints: they are filtered at this boundary (dot folders
//! such as `.git/` and the index, dotfiles, editor temporaries, anything a `.gitignore` excludes),
//! reduced to the set of paths that may have changed, and handed to the writer, which re-checks
//! each on disk to decide upsert or delete. Lost events (queue overflow, watcher errors) turn into
//! a full reconcile. Native events by default; polling with `--poll`, or when the native watcher
//! cannot start (e.g. the inotify watch limit).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use notify::{RecursiveMode, Watcher as _};

use super::Vault;
use crate::indexer::{Job, Status};

/// How long the folder must be quiet before a batch is handed over (one edit is searchable fast).
pub const QUIET: Duration = Duration::from_millis(20);
/// The longest a batch waits while changes keep coming (a flood is applied in few commits).
pub const MAX_WAIT: Duration = Duration::from_millis(150);
/// How often the polling watcher scans.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// What a change to a path means to daftar, decided without touching the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// Re-check this path.
    Path(PathBuf),
    /// Events were lost: reconcile everything.
    Rescan(String),
}

/// Editor temporaries and swap files, never notes.
pub fn is_temporary(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with("#")
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.ends_with(".part")
        || name.ends_with(".crdownload")
        || name == "4913"
}

/// The `.gitignore` rules of the root and its folders, loaded on demand and dropped when a
/// `.gitignore` changes.
#[derive(Default)]
pub struct GitIgnores {
    cache: Mutex<HashMap<PathBuf, Option<Arc<Gitignore>>>>,
}

impl GitIgnores {
    fn rules(&self, dir: &Path) -> Option<Arc<Gitignore>> {
        let mut cache = self.cache.lock().ok()?;
        cache
            .entry(dir.to_path_buf())
            .or_insert_with(|| {
                let file = dir.join(".gitignore");
                if !file.is_file() {
                    return None;
                }
                let mut b = GitignoreBuilder::new(dir);
                b.add(&file);
                b.build().ok().map(Arc::new)
            })
            .clone()
    }

    /// Forgets the rules of `dir` (its `.gitignore` changed).
    pub fn forget(&self, dir: &Path) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(dir);
        }
    }

    /// True when a `.gitignore` in `root` or a folder between it and `path` excludes `path`.
    pub fn ignored(&self, root: &Path, path: &Path) -> bool {
        let Ok(rel) = path.strip_prefix(root) else { return true };
        let mut dir = root.to_path_buf();
        let comps: Vec<_> = rel.components().collect();
        for (i, c) in comps.iter().enumerate() {
            if let Some(rules) = self.rules(&dir) {
                let sub = dir.join(c.as_os_str());
                let is_dir = i + 1 < comps.len() || sub.is_dir();
                if rules.matched_path_or_any_parents(&sub, is_dir).is_ignore() {
                    return true;
                }
            }
            dir.push(c.as_os_str());
        }
        false
    }
}

/// Turns watcher output into hints: relevant paths, deduplicated, or a rescan.
pub fn hints(vault: &Vault, ignores: &GitIgnores, result: Result<Vec<notify::Event>, Vec<notify::Error>>) -> Vec<Hint> {
    let events = match result {
        Ok(events) => events,
        Err(errors) => {
            let why = errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ");
            return vec![Hint::Rescan(format!("watcher error: {why}"))];
        }
    };
    let mut paths: BTreeSet<PathBuf> = BTreeSet::new();
    for event in &events {
        if event.need_rescan() {
            return vec![Hint::Rescan("the watcher lost events".into())];
        }
        // Opening and reading change nothing, and the indexer's own reads would feed back.
        if matches!(event.kind, notify::EventKind::Access(_)) {
            continue;
        }
        for path in &event.paths {
            if path.file_name().is_some_and(|n| n == ".gitignore") {
                if let Some(dir) = path.parent() {
                    ignores.forget(dir);
                }
                // What a .gitignore hides or reveals is only known by walking again.
                return vec![Hint::Rescan(format!("{} changed", path.display()))];
            }
            if relevant(vault, ignores, path) {
                paths.insert(path.clone());
            }
        }
    }
    paths.into_iter().map(Hint::Path).collect()
}

/// True for a path under the root that may hold or have held notes.
pub fn relevant(vault: &Vault, ignores: &GitIgnores, path: &Path) -> bool {
    if vault.id_of(path).is_none() {
        return false; // outside the root, or under a dot folder (.git, .daftar), or a dotfile
    }
    if path.file_name().and_then(|n| n.to_str()).is_some_and(is_temporary) {
        return false;
    }
    !ignores.ignored(vault.root(), path)
}

/// A batch of raw watcher output: its sequence number (see [`Status::seen`]) and what it says.
struct Raw {
    seq: u64,
    hints: Vec<Hint>,
}

/// A running watcher; dropping it stops watching (and the coalescing thread ends).
pub struct Watcher {
    _inner: Box<dyn notify::Watcher + Send>,
    mode: &'static str,
}

impl Watcher {
    /// The mode, as `/api/stats` shows it.
    pub fn mode(&self) -> &'static str {
        self.mode
    }
}

/// Starts watching `vault`, sending jobs to the writer. Falls back to polling when the native
/// watcher cannot start.
///
/// Events are coalesced here rather than by a generic debouncer: the writer re-checks every path
/// on disk, so a rename needs no pairing (its old path is gone, its new one exists), and owning
/// the loop lets every relevant event be numbered as it arrives. `Status::seen` is that number and
/// `Status::applied` the last one the writer has committed, so a search can wait for changes
/// already on disk (read-your-writes) instead of answering from a state the user has just changed.
pub fn start(vault: Vault, jobs: Sender<Job>, status: Arc<Status>, poll: bool) -> notify::Result<Watcher> {
    let ignores = Arc::new(GitIgnores::default());
    let (tx, rx) = std::sync::mpsc::channel::<Raw>();
    let handler = {
        let vault = vault.clone();
        let status = status.clone();
        move |result: notify::Result<notify::Event>| {
            let hints = hints(&vault, &ignores, result.map(|e| vec![e]).map_err(|e| vec![e]));
            if !hints.is_empty() {
                let seq = status.seen.fetch_add(1, Ordering::SeqCst) + 1;
                let _ = tx.send(Raw { seq, hints });
            }
        }
    };
    let root = vault.root().to_path_buf();
    let inner: (Box<dyn notify::Watcher + Send>, &'static str) = if poll {
        (poller(handler, &root)?, "poll")
    } else {
        let native = notify::RecommendedWatcher::new(handler.clone(), notify::Config::default())
            .and_then(|mut w| w.watch(&root, RecursiveMode::Recursive).map(|()| w));
        match native {
            Ok(w) => (Box::new(w), "native"),
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    "native file watching failed (on Linux, raise fs.inotify.max_user_watches); polling instead"
                );
                (poller(handler, &root)?, "poll")
            }
        }
    };
    std::thread::Builder::new()
        .name("daftar-watch".into())
        .spawn(move || coalesce(rx, jobs))
        .map_err(|e| notify::Error::generic(&e.to_string()))?;
    Ok(Watcher { _inner: inner.0, mode: inner.1 })
}

fn poller<F: notify::EventHandler>(handler: F, root: &Path) -> notify::Result<Box<dyn notify::Watcher + Send>> {
    let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
    let mut w = notify::PollWatcher::new(handler, config)?;
    w.watch(root, RecursiveMode::Recursive)?;
    Ok(Box::new(w))
}

/// Gathers raw batches until the folder is quiet for [`QUIET`] (or [`MAX_WAIT`] has passed since
/// the first), then hands one job to the writer.
fn coalesce(rx: Receiver<Raw>, jobs: Sender<Job>) {
    while let Ok(first) = rx.recv() {
        let started = Instant::now();
        let mut upto = first.seq;
        let mut paths: BTreeSet<PathBuf> = BTreeSet::new();
        let mut rescan: Option<String> = None;
        let mut add = |raw: Raw, upto: &mut u64| {
            *upto = (*upto).max(raw.seq);
            for hint in raw.hints {
                match hint {
                    Hint::Path(p) => {
                        paths.insert(p);
                    }
                    Hint::Rescan(reason) => rescan = Some(reason),
                }
            }
        };
        add(first, &mut upto);
        let mut open = true;
        loop {
            let left = MAX_WAIT.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match rx.recv_timeout(QUIET.min(left)) {
                Ok(raw) => add(raw, &mut upto),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    open = false;
                    break;
                }
            }
        }
        let job = match rescan {
            Some(reason) => {
                tracing::warn!(%reason, "reconciling the whole root");
                Job::Reconcile { reason, upto }
            }
            None => Job::Paths { paths: paths.into_iter().collect(), upto },
        };
        if jobs.send(job).is_err() || !open {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, Event, EventKind, Flag};

    fn event(paths: &[&Path]) -> Event {
        let mut e = Event::new(EventKind::Create(CreateKind::File));
        e.paths = paths.iter().map(|p| p.to_path_buf()).collect();
        e
    }

    #[test]
    fn filters_and_coalesces() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::write(root.join(".gitignore"), "drafts/\n*.bak\n").expect("write");
        std::fs::create_dir_all(root.join("p/sub")).expect("mkdir");
        std::fs::write(root.join("p/sub/.gitignore"), "private.md\n").expect("write");
        let vault = Vault::open(root).expect("open");
        let root = vault.root().to_path_buf();
        let ig = GitIgnores::default();
        let paths: Vec<PathBuf> = [
            "a.md",
            "a.md",
            "p/b.md",
            ".git/index",
            ".daftar/tantivy/meta.json",
            "p/.c.md.swp",
            "p/c.md~",
            "p/.#c.md",
            "4913",
            "x.tmp",
            "drafts/d.md",
            "e.bak",
            "p/sub/private.md",
            "p/sub/public.md",
        ]
        .iter()
        .map(|p| root.join(p))
        .collect();
        let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
        let got = hints(&vault, &ig, Ok(vec![event(&refs)]));
        let want: Vec<Hint> = ["a.md", "p/b.md", "p/sub/public.md"].iter().map(|p| Hint::Path(root.join(p))).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn reads_are_not_changes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let vault = Vault::open(dir.path()).expect("open");
        let mut e = Event::new(EventKind::Access(AccessKind::Any));
        e.paths.push(vault.root().join("a.md"));
        assert!(hints(&vault, &GitIgnores::default(), Ok(vec![e])).is_empty());
    }

    #[test]
    fn lost_events_mean_reconcile() {
        let dir = tempfile::tempdir().expect("tempdir");
        let vault = Vault::open(dir.path()).expect("open");
        let ig = GitIgnores::default();
        let mut e = Event::new(EventKind::Other).set_flag(Flag::Rescan);
        e.paths.push(vault.root().join("a.md"));
        let got = hints(&vault, &ig, Ok(vec![e]));
        assert!(matches!(got.as_slice(), [Hint::Rescan(_)]));
        let got = hints(&vault, &ig, Err(vec![notify::Error::generic("queue overflow")]));
        assert!(matches!(got.as_slice(), [Hint::Rescan(r)] if r.contains("overflow")));
        let gi = vault.root().join(".gitignore");
        let got = hints(&vault, &ig, Ok(vec![event(&[gi.as_path()])]));
        assert!(matches!(got.as_slice(), [Hint::Rescan(_)]));
    }
}
