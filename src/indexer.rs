//! The index-writer task: the one owner of the [`Writer`], on its own thread. Every change — the
//! start-up sync, a watcher batch, a full reconcile after the watcher lost events — arrives as a
//! [`Job`], is applied and committed as one batch, and the reader is reloaded at once. Request
//! handlers only read; they see progress through the shared [`Status`].

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Instant, SystemTime};

use serde::Serialize;

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
    thread: Option<JoinHandle<()>>,
}

impl Indexer {
    /// Starts the thread; it begins with a reconcile of the whole root.
    pub fn start(vault: Vault, index: Index, writer: Writer) -> Indexer {
        let (jobs, rx) = std::sync::mpsc::channel();
        let status = Arc::new(Status::default());
        let _ = jobs.send(Job::Reconcile { reason: "start-up".into(), upto: 0 });
        let thread_status = status.clone();
        let thread = std::thread::Builder::new()
            .name("daftar-indexer".into())
            .spawn(move || run(vault, index, writer, rx, thread_status))
            .ok();
        Indexer { jobs, status, thread }
    }

    /// Asks the thread to commit and stop, and waits for it.
    pub fn stop(mut self) {
        let _ = self.jobs.send(Job::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(vault: Vault, index: Index, mut writer: Writer, rx: Receiver<Job>, status: Arc<Status>) {
    while let Ok(first) = rx.recv() {
        // Drain what is queued so a flood becomes one batch.
        let mut reconcile: Option<String> = None;
        let mut paths: BTreeSet<std::path::PathBuf> = BTreeSet::new();
        let mut stop = false;
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
                Job::Stop => stop = true,
            }
        }
        status.pending.store(paths.len(), Ordering::Relaxed);
        if let Some(reason) = reconcile {
            let started = Instant::now();
            match sync::sync(&vault, &index, &mut writer, &|_, _| {}) {
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
            apply_paths(&vault, &index, &mut writer, &paths, &status);
        }
        status.pending.store(0, Ordering::Relaxed);
        status.applied.fetch_max(upto, Ordering::SeqCst);
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

impl Status {
    /// Waits, at most `limit`, until every watcher event seen before this call is committed:
    /// a search right after a save sees the save.
    pub async fn fresh(&self, limit: std::time::Duration) {
        let target = self.seen.load(Ordering::SeqCst);
        let started = Instant::now();
        while self.applied.load(Ordering::SeqCst) < target && started.elapsed() < limit {
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
) {
    let started = Instant::now();
    let indexed = match sync::indexed(index) {
        Ok(i) => i,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the index state");
            return;
        }
    };
    let mut summary = Summary::default();
    for path in paths {
        let entry = vault.entry(path);
        let id = vault.id_of(path);
        match (entry, id) {
            (Some(entry), _) => {
                let plan = sync::plan(vault, vec![entry.clone()], &indexed);
                if plan.upserts.is_empty() {
                    continue;
                }
                let (note, stamp) = sync::load(vault, &entry);
                if let Err(e) = writer.upsert(&note, stamp) {
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
                    let plan = sync::plan(vault, vault.scan_under(path), &indexed);
                    for (entry, new) in &plan.upserts {
                        let (note, stamp) = sync::load(vault, entry);
                        if let Err(e) = writer.upsert(&note, stamp) {
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
            status.commits.fetch_add(1, Ordering::Relaxed);
            summary.problems = sync::count_with_problems(index).unwrap_or(0);
            summary.seconds = started.elapsed().as_secs_f64();
            tracing::info!(%summary, "applied changes");
            record(status, "watch", summary);
        }
        Err(e) => {
            tracing::error!(error = %e, "commit failed; reconciling");
            let _ = writer.rollback();
        }
    }
}
