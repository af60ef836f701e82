//! Noticing that HEAD moved (a commit, a pull, a checkout, a reset), so the writer can bring the
//! history up to date. The folder watcher ignores `.git/` on purpose (its churn is not notes), so
//! this polls instead: a few tiny files (`HEAD`, the branch's ref file, `packed-refs`) read twice a
//! second, which costs nothing; with a ref store it cannot read (reftable), it asks `git rev-parse`
//! less often. A change only hints: the writer reads the real HEAD itself.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::Repo;
use crate::indexer::Job;

/// How often the ref files are read.
pub const INTERVAL: Duration = Duration::from_millis(500);
/// How often `git rev-parse HEAD` runs when the ref files cannot be read.
const SLOW_INTERVAL: Duration = Duration::from_secs(2);

/// The running HEAD watch; stops when dropped.
pub struct HeadWatch {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for HeadWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What HEAD resolves to as far as the files tell, or `None` when they cannot tell.
pub fn fingerprint(git_dir: &Path, common_dir: &Path) -> Option<String> {
    let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref: ") else {
        return Some(head.to_string()); // detached: HEAD holds the commit id
    };
    if let Ok(id) = std::fs::read_to_string(common_dir.join(reference)) {
        return Some(format!("{reference} {}", id.trim()));
    }
    let packed = std::fs::read_to_string(common_dir.join("packed-refs")).ok();
    let id = packed.as_deref().and_then(|p| {
        p.lines().find_map(|l| l.strip_suffix(reference).and_then(|id| id.strip_suffix(' ')).map(str::to_string))
    });
    match id {
        Some(id) => Some(format!("{reference} {id}")),
        // An unborn branch still reads as itself; anything else (reftable) cannot be read.
        None if common_dir.join("refs").is_dir() && !common_dir.join("reftable").exists() => {
            Some(format!("{reference} unborn"))
        }
        None => None,
    }
}

/// Starts polling; sends [`Job::Head`] whenever HEAD seems to have moved.
pub fn start(repo: Repo, jobs: Sender<Job>) -> HeadWatch {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let thread = std::thread::Builder::new()
        .name("daftar-git-head".into())
        .spawn(move || {
            let read = |repo: &Repo| match fingerprint(repo.git_dir(), repo.common_dir()) {
                Some(f) => (f, INTERVAL),
                None => (repo.head().unwrap_or_default(), SLOW_INTERVAL),
            };
            let (mut last, mut every) = read(&repo);
            while !flag.load(Ordering::Relaxed) {
                sleep_unless(&flag, every);
                let (now, interval) = read(&repo);
                every = interval;
                if now != last {
                    tracing::debug!(from = %last, to = %now, "HEAD moved");
                    last = now;
                    if jobs.send(Job::Head).is_err() {
                        break;
                    }
                }
            }
        })
        .ok();
    HeadWatch { stop, thread }
}

/// Sleeps `total` in short steps so that a stop is noticed quickly.
fn sleep_unless(flag: &AtomicBool, total: Duration) {
    let step = Duration::from_millis(50);
    let mut slept = Duration::ZERO;
    while slept < total && !flag.load(Ordering::Relaxed) {
        std::thread::sleep(step);
        slept += step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_loose_packed_and_detached_heads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let g = dir.path();
        std::fs::create_dir_all(g.join("refs/heads")).expect("mkdir");
        std::fs::write(g.join("HEAD"), "ref: refs/heads/main\n").expect("write");
        assert_eq!(fingerprint(g, g).as_deref(), Some("refs/heads/main unborn"));
        std::fs::write(g.join("packed-refs"), "# pack-refs with: peeled\nabc refs/heads/main\n").expect("write");
        assert_eq!(fingerprint(g, g).as_deref(), Some("refs/heads/main abc"));
        std::fs::write(g.join("refs/heads/main"), "def\n").expect("write");
        assert_eq!(fingerprint(g, g).as_deref(), Some("refs/heads/main def"));
        std::fs::write(g.join("HEAD"), "0123\n").expect("write");
        assert_eq!(fingerprint(g, g).as_deref(), Some("0123"));
    }
}
