//! The index-writer task: the one owner of the [`Writer`], on its own thread. Every change — the
//! start-up sync, a watcher batch, a full reconcile after the watcher lost events, HEAD moving after
//! a commit or a pull — arrives as a [`Job`], is applied and committed as one batch, and the reader
//! is reloaded at once. Request handlers only read; they see progress through the shared [`Status`].
//!
//! The writer also keeps the git [`History`] current: it reads it once before the start-up sync and
//! then only the new commits when HEAD moves, re-indexing just the notes whose history changed.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Instant, SystemTime};

use serde::Serialize;

use crate::git::history::{self, History, Update};
use crate::git::Repo;
use crate::index::sync::{self, Summary};
use crate::index::writer::Writer;
use crate::index::Index;
use crate::vault::Vault;

/// Work for the writer.
#[derive(Debug)]
pub enum Job {
    /// Reconcile the whole root with the index (start-up, watcher overflow, after a pull).
    /// `upto` is the last watcher event this job accounts for (see [`Status::seen`]).
    Reconcile { reason: String, upto: u64 },
    /// These paths (absolute) may have changed: re-check each on disk, upsert or delete.
    Paths { paths: Vec<std::path::PathBuf>, upto: u64 },
    /// The repository's HEAD may have moved: read the new commits and re-index the notes whose
    /// history changed (their files may not have).
    Head,
    /// Commit what is pending and stop.
    Stop,
}

/// What the writer has done, for `/api/stats`, `/readyz` and `/metrics`.
#[derive(Debug, Default)]
pub struct Status {
    pub ready: AtomicBool,
    /// Relevant watcher events seen so far (numbered as they arrive).
    pub seen: AtomicU64,
    /// The last watcher event whose changes are committed and visible to searches.
    pub applied: AtomicU64,
    pub commits: AtomicU64,
    pub pending: AtomicUsize,
    pub last_sync: Mutex<Option<SyncReport>>,
    pub watcher: Mutex<String>,
}

/// The last completed sync.
#[derive(Debug, Clone, Serialize)]
pub struct SyncReport {
    /// RFC 3339.
    pub at: String,
    pub unix: f64,
    pub reason: String,
    #[serde(flatten)]
    pub summary: Summary,
}

/// A handle on the running writer thread.
pub struct Indexer {
    pub jobs: Sender<Job>,
    pub status: Arc<Status>,
    /// The notes' git history, kept current by the thread (empty without git).
    pub history: history::Shared,
    /// The repository holding the root, if any.
    pub repo: Option<Repo>,
    thread: Option<JoinHandle<()>>,
}

impl Indexer {
    /// Starts the thread; it reads the git history (when the root is in a work tree) and begins
    /// with a reconcile of the whole root.
    pub fn start(vault: Vault, index: Index, writer: Writer) -> Indexer {
        let (jobs, rx) = std::sync::mpsc::channel();
        let status = Arc::new(Status::default());
        let _ = jobs.send(Job::Reconcile { reason: "start-up".into(), upto: 0 });
        let repo = Repo::discover(vault.root());
        let history: history::Shared = Arc::default();
        let work = Work { vault, index, writer, repo: repo.clone(), history: history.clone() };
        let thread_status = status.clone();
        let thread =
            std::thread::Builder::new().name("daftar-indexer".into()).spawn(move || run(work, rx, thread_status)).ok();
        Indexer { jobs, status, history, repo, thread }
    }

    /// Asks the thread to commit and stop, and waits for it.
    pub fn stop(mut self) {
        let _ = self.jobs.send(Job::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What the writer thread owns.
struct Work {
    vault: Vault,
    index: Index,
    writer: Writer,
    repo: Option<Repo>,
    history: history::Shared,
}

fn run(work: Work, rx: Receiver<Job>, status: Arc<Status>) {
    let Work { vault, index, mut writer, repo, history } = work;
    // The history first, so the start-up sync indexes every note with it (and only once).
    let loaded = History::load(repo.as_ref());
    if let Ok(mut h) = history.write() {
        *h = loaded;
    }
    while let Ok(first) = rx.recv() {
        // Drain what is queued so a flood becomes one batch.
        let mut reconcile: Option<String> = None;
        let mut paths: BTreeSet<std::path::PathBuf> = BTreeSet::new();
        let mut stop = false;
        let mut head = false;
        let mut upto = 0;
        for job in std::iter::once(first).chain(rx.try_iter()) {
            match job {
                Job::Reconcile { reason, upto: u } => {
                    reconcile = Some(reason);
                    upto = upto.max(u);
                }
                Job::Paths { paths: p, upto: u } => {
                    paths.extend(p);
                    upto = upto.max(u);
                }
                Job::Head => head = true,
                Job::Stop => stop = true,
            }
        }
        if let (true, Some(repo)) = (head, &repo) {
            match update_history(repo, &history) {
                HeadMoved::No => {}
                HeadMoved::Notes(ids) => paths.extend(ids.iter().map(|id| vault.root().join(id))),
                HeadMoved::Everything => {
                    reconcile.get_or_insert_with(|| "history rewritten".to_string());
                }
            }
        }
        let history = match history.read() {
            Ok(h) => h,
            Err(poisoned) => poisoned.into_inner(),
        };
        status.pending.store(paths.len(), Ordering::Relaxed);
        if let Some(reason) = reconcile {
            let started = Instant::now();
            match sync::sync_with(&vault, &index, &mut writer, &history, &|_, _| {}) {
                Ok(summary) => {
                    if summary.added + summary.updated + summary.removed > 0 {
                        status.commits.fetch_add(1, Ordering::Relaxed);
                    }
                    tracing::info!(%reason, %summary, "synced");
                    record(&status, &reason, summary);
                }
                Err(e) => tracing::error!(error = %e, %reason, "sync failed"),
            }
            status.ready.store(true, Ordering::Relaxed);
            tracing::debug!(ms = started.elapsed().as_millis() as u64, "reconcile done");
        } else if !paths.is_empty() {
            let reason = if head { "git" } else { "watch" };
            apply_paths(&vault, &index, &mut writer, &paths, &status, &history, reason);
        }
        status.pending.store(0, Ordering::Relaxed);
        status.applied.fetch_max(upto, Ordering::SeqCst);
        // Every batch frees what it allocated (tantivy's per-thread term tables alone take 4 MB, a
        // new searcher its caches), and glibc keeps it: handed back after each batch, once readers
        // may go on, the serving peak at 100k notes fell from 264 to 238 MB, freshness unchanged
        // (BENCHMARKS.md). It costs the writer thread a walk over malloc's arenas.
        crate::memory::release_free();
        if stop {
            break;
        }
    }
    if writer.pending() > 0 {
        if let Err(e) = writer.commit() {
            tracing::error!(error = %e, "final commit failed");
        }
    }
}

/// What moving HEAD means for the index.
enum HeadMoved {
    No,
    /// These notes (ids, some perhaps gone) have a different history.
    Notes(std::collections::BTreeSet<String>),
    /// The history was read anew: reconcile everything.
    Everything,
}

/// Brings the history to the current HEAD. The write lock is held only while the new commits are
/// put in (or a re-read history swapped in); readers wait that long at most.
fn update_history(repo: &Repo, shared: &history::Shared) -> HeadMoved {
    let started = Instant::now();
    let mut h = match shared.write() {
        Ok(h) => h,
        Err(poisoned) => poisoned.into_inner(),
    };
    match h.update(repo) {
        Ok(Update::Unchanged) => HeadMoved::No,
        Ok(Update::Changed(ids)) => {
            tracing::info!(
                head = h.head().unwrap_or(""),
                notes = ids.len(),
                ms = started.elapsed().as_millis() as u64,
                "HEAD moved: history updated"
            );
            HeadMoved::Notes(ids)
        }
        Ok(Update::Rewritten) => {
            tracing::info!(head = h.head().unwrap_or(""), "HEAD moved to an unrelated commit: history read again");
            HeadMoved::Everything
        }
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the new commits: keeping the history as it was");
            HeadMoved::No
        }
    }
}

/// Most watcher events a read may be behind, or notes in the batch being applied, for the read to
/// wait its whole limit for them. More is a pull or a bulk change, which a reader did not make and
/// gains nothing from waiting 500 ms for (the search p99 during a 1,000-note change at 100k notes,
/// BENCHMARKS.md).
const WAIT_BEHIND_AT_MOST: u64 = 64;

/// How long a read waits while a bulk change is applied: long enough that readers do not take the
/// cores from the writer (not waiting at all made a 1,000-note change take 1.2 s, not 0.8), short
/// enough that they are answered meanwhile.
const BULK_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

impl Status {
    /// Waits, at most `limit`, until every watcher event seen before this call is committed (a
    /// search right after a save sees the save) and the start-up sync is done (a search right after
    /// start-up sees the notes, when the sync is quick enough). While a bulk change is applied
    /// (more than [`WAIT_BEHIND_AT_MOST`] events behind, or notes in the batch) it waits
    /// [`BULK_WAIT`] at most: the notes appear as their batches commit.
    pub async fn fresh(&self, limit: std::time::Duration) {
        let target = self.seen.load(Ordering::SeqCst);
        let started = Instant::now();
        loop {
            let ready = self.ready.load(Ordering::Relaxed);
            let behind = target.saturating_sub(self.applied.load(Ordering::SeqCst));
            // Many events not yet in a batch, or a batch of many notes being applied.
            let bulk =
                behind > WAIT_BEHIND_AT_MOST || self.pending.load(Ordering::Relaxed) > WAIT_BEHIND_AT_MOST as usize;
            let waited = started.elapsed();
            if (ready && behind == 0) || (ready && bulk && waited >= BULK_WAIT) || waited >= limit {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }
}

fn record(status: &Status, reason: &str, summary: Summary) {
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    let report = SyncReport { at: chrono::Utc::now().to_rfc3339(), unix: now, reason: reason.to_string(), summary };
    if let Ok(mut last) = status.last_sync.lock() {
        *last = Some(report);
    }
}

/// Re-checks each path on disk: a note there is upserted when its stamp changed; a path with no
/// note is deleted, together with every indexed note under it (a folder moved away).
fn apply_paths(
    vault: &Vault,
    index: &Index,
    writer: &mut Writer,
    paths: &BTreeSet<std::path::PathBuf>,
    status: &Status,
    history: &History,
    reason: &str,
) {
    let started = Instant::now();
    // Files that exist (the common case: saves) need only their own stamps. A folder, or a path
    // that is gone (it may have been a folder), needs every id: to scan it, or to remove what was
    // under it.
    let entries: Vec<(&std::path::PathBuf, Option<crate::vault::Entry>)> =
        paths.iter().map(|p| (p, vault.entry(p))).collect();
    let files_only = entries.iter().all(|(_, e)| e.is_some());
    let indexed = if files_only {
        let ids: Vec<String> = paths.iter().filter_map(|p| vault.id_of(p)).collect();
        sync::indexed_of(index, ids.iter().map(String::as_str))
    } else {
        sync::indexed(index)
    };
    let indexed = match indexed {
        Ok(i) => i,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the index state");
            return;
        }
    };
    let mut summary = Summary::default();
    for (path, entry) in entries {
        let id = vault.id_of(path);
        match (entry, id) {
            (Some(entry), _) => {
                // One lookup, not a whole plan: a plan also lists every indexed id it did not see
                // (cloned and sorted), which made a batch of k changes cost k × N log N.
                if sync::change(vault, &entry, &indexed, history).is_none() {
                    continue;
                }
                if let Err(e) = sync::upsert(vault, writer, &entry, history) {
                    tracing::error!(error = %e, id = %entry.id, "cannot index");
                    continue;
                }
                if indexed.contains_key(&entry.id) {
                    summary.updated += 1;
                } else {
                    summary.added += 1;
                }
            }
            (None, Some(id)) => {
                if path.is_dir() {
                    // A folder appeared (moved or copied in): index what it holds that is new or changed.
                    let plan = sync::plan(vault, vault.scan_under(path), &indexed, history);
                    for (entry, new) in &plan.upserts {
                        if let Err(e) = sync::upsert(vault, writer, entry, history) {
                            tracing::error!(error = %e, id = %entry.id, "cannot index");
                        } else if *new {
                            summary.added += 1;
                        } else {
                            summary.updated += 1;
                        }
                    }
                    continue;
                }
                let prefix = format!("{id}/");
                for gone in indexed.keys().filter(|k| **k == id || k.starts_with(&prefix)) {
                    writer.delete(gone);
                    summary.removed += 1;
                }
            }
            (None, None) => {}
        }
    }
    if writer.pending() == 0 {
        return;
    }
    match writer.commit() {
        Ok(()) => {
            if let Err(e) = sync::place_attachments(vault, index, writer, history) {
                tracing::error!(error = %e, "cannot place the attachments by the notes linking to them");
            }
            status.commits.fetch_add(1, Ordering::Relaxed);
            summary.problems = sync::count_with_problems(index).unwrap_or(0);
            summary.seconds = started.elapsed().as_secs_f64();
            tracing::info!(%summary, "applied changes");
            record(status, reason, summary);
        }
        Err(e) => {
            tracing::error!(error = %e, "commit failed; reconciling");
            let _ = writer.rollback();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    /// Runs `fresh` with a limit no test waits out: if it waited for changes nobody applies, the
    /// test would fail at the outer timeout instead of passing.
    async fn fresh_returns(status: &Status) -> bool {
        tokio::time::timeout(Duration::from_secs(60), status.fresh(Duration::from_secs(3600))).await.is_ok()
    }

    /// Runs `change` on `status` a moment from now, as the writer thread would.
    fn later(status: &Arc<Status>, change: impl FnOnce(&Status) + Send + 'static) -> tokio::task::JoinHandle<()> {
        let status = status.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(50)).await;
            change(&status);
        })
    }

    #[tokio::test]
    async fn a_read_waits_for_a_few_changes_but_not_for_a_bulk_change() {
        // A save or two behind: the read waits until they are applied.
        let status = Arc::new(Status::default());
        status.ready.store(true, Ordering::Relaxed);
        status.seen.store(3, Ordering::SeqCst);
        let writer = later(&status, |s| s.applied.store(3, Ordering::SeqCst));
        assert!(fresh_returns(&status).await);
        assert_eq!(status.applied.load(Ordering::SeqCst), 3, "the read went ahead of the save");
        writer.await.expect("writer");

        // A thousand behind: a pull is being applied, and the read does not wait for all of it.
        status.seen.store(1003, Ordering::SeqCst);
        assert!(fresh_returns(&status).await, "the read waited for the bulk change");
        assert_eq!(status.applied.load(Ordering::SeqCst), 3);
        // One event behind, but in a batch of 500 notes being applied: no waiting for the batch.
        status.applied.store(1003, Ordering::SeqCst);
        status.seen.store(1004, Ordering::SeqCst);
        status.pending.store(500, Ordering::Relaxed);
        assert!(fresh_returns(&status).await, "the read waited for the batch");
        assert_eq!(status.applied.load(Ordering::SeqCst), 1003);

        // Before the start-up sync is done, a read waits for it, however far behind.
        let starting = Arc::new(Status::default());
        starting.seen.store(1000, Ordering::SeqCst);
        let sync = later(&starting, |s| {
            s.applied.store(1000, Ordering::SeqCst);
            s.ready.store(true, Ordering::Relaxed);
        });
        assert!(fresh_returns(&starting).await);
        assert!(starting.ready.load(Ordering::Relaxed), "the read went ahead of the start-up sync");
        sync.await.expect("sync");
    }
}
