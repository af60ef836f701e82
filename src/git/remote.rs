//! Following the upstream: `git fetch` then `git merge --ff-only @{u}`, on an interval
//! (`serve --pull 60s`) and whenever the webhook asks. A pull only ever fast-forwards: a branch
//! that has diverged, a dirty work tree in the way, a network failure — each is logged, counted and
//! shown in `/api/stats`, and the server keeps serving what it has. Git is the replication log:
//! every server following one remote ends at the same commit, hence the same index.
//!
//! One puller thread per server; requests that arrive while a pull runs are coalesced into one
//! more pull after it (the push that triggered them may have landed after our fetch).

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use super::{GitError, Repo};
use crate::indexer::Job;

/// How long a fetch may take before it is abandoned (a hung network must not stall pulling).
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(120);
/// Without `--pull`, the puller only wakes for the webhook.
const IDLE: Duration = Duration::from_secs(3600);

/// Pulling, as `/api/stats` shows it.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PullStatus {
    /// Seconds between pulls; `null` when only the webhook pulls.
    pub interval_s: Option<f64>,
    /// The upstream branch, once known (e.g. `origin/main`).
    pub upstream: Option<String>,
    /// RFC 3339 times of the last attempt and the last success.
    pub last_attempt: Option<String>,
    pub last_ok: Option<String>,
    /// Why the last failed attempt failed, and when; kept after later successes (see `failing`).
    pub last_error: Option<String>,
    pub last_error_at: Option<String>,
    /// True while the most recent attempt failed.
    pub failing: bool,
    /// The commit the work tree is at after the last attempt.
    pub head: Option<String>,
    /// Attempts made, pulls that brought new commits, and failed attempts.
    pub attempts: u64,
    pub pulls: u64,
    pub failures: u64,
    pub running: bool,
}

/// What a successful pull did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pulled {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Fetches and fast-forwards the root's branch to its upstream.
pub fn pull(repo: &Repo) -> Result<Pulled, GitError> {
    let upstream = upstream(repo)?;
    repo.git_timed(&["fetch", "--quiet", "--no-tags"], FETCH_TIMEOUT)?;
    let from = repo.head();
    if let Some(head) = &from {
        let behind = repo.git_ok(&["merge-base", "--is-ancestor", head, "@{u}"])?;
        if !behind {
            let ahead = repo.git_ok(&["merge-base", "--is-ancestor", "@{u}", head])?;
            if ahead {
                // Local commits not pushed yet: nothing to pull, and nothing wrong with the server.
                return Ok(Pulled { from: from.clone(), to: from });
            }
            return Err(GitError::Failed {
                args: "merge --ff-only @{u}".into(),
                message: format!("cannot fast-forward: the local branch has diverged from {upstream}"),
            });
        }
    }
    repo.git(&["merge", "--ff-only", "--quiet", "@{u}"])?;
    Ok(Pulled { from, to: repo.head() })
}

/// The current branch's upstream (`origin/main`), or why there is none.
pub fn upstream(repo: &Repo) -> Result<String, GitError> {
    repo.git(&["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"])
        .map(|o| String::from_utf8_lossy(&o).trim().to_string())
        .map_err(|e| match e {
            GitError::Failed { args, .. } => GitError::Failed {
                args,
                message: "the current branch has no upstream to pull from (git branch --set-upstream-to)".into(),
            },
            other => other,
        })
}

/// The running puller. Dropping it lets its thread end after the pull in progress, if any.
pub struct Puller {
    trigger: SyncSender<()>,
    pub status: Arc<Mutex<PullStatus>>,
}

impl Puller {
    /// Starts the puller: every `interval` when given, and on [`Puller::trigger`]. After a pull
    /// that moved HEAD, the writer is told ([`Job::Head`]) and re-indexes what changed.
    pub fn start(repo: Repo, interval: Option<Duration>, jobs: Sender<Job>) -> Puller {
        // One slot: a request made while one is queued adds nothing.
        let (trigger, rx) = std::sync::mpsc::sync_channel(1);
        let status = Arc::new(Mutex::new(PullStatus {
            interval_s: interval.map(|d| d.as_secs_f64()),
            upstream: upstream(&repo).ok(),
            head: repo.head(),
            ..PullStatus::default()
        }));
        let shared = status.clone();
        let spawned = std::thread::Builder::new()
            .name("daftar-git-pull".into())
            .spawn(move || run(repo, interval, rx, jobs, shared));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the puller");
        }
        Puller { trigger, status }
    }

    /// Asks for a pull now. False when one is already queued (the request is coalesced into it).
    pub fn trigger(&self) -> bool {
        match self.trigger.try_send(()) {
            Ok(()) => true,
            Err(TrySendError::Full(())) => false,
            Err(TrySendError::Disconnected(())) => {
                tracing::error!("the puller has stopped");
                false
            }
        }
    }

    /// A copy of the status.
    pub fn snapshot(&self) -> PullStatus {
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

fn run(repo: Repo, interval: Option<Duration>, rx: Receiver<()>, jobs: Sender<Job>, status: Arc<Mutex<PullStatus>>) {
    loop {
        match rx.recv_timeout(interval.unwrap_or(IDLE)) {
            Ok(()) => {}
            Err(RecvTimeoutError::Timeout) if interval.is_some() => {}
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let now = || chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        if let Ok(mut s) = status.lock() {
            s.running = true;
            s.last_attempt = Some(now());
        }
        let result = pull(&repo);
        let Ok(mut s) = status.lock() else { return };
        s.running = false;
        s.attempts += 1;
        match result {
            Ok(p) => {
                s.last_ok = Some(now());
                s.failing = false;
                s.head = p.to.clone();
                if s.upstream.is_none() {
                    s.upstream = upstream(&repo).ok();
                }
                if p.from != p.to {
                    s.pulls += 1;
                    tracing::info!(from = ?p.from, to = ?p.to, "pulled");
                    if jobs.send(Job::Head).is_err() {
                        return;
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "pull failed: serving the last good state");
                s.failures += 1;
                s.failing = true;
                s.last_error = Some(e.to_string());
                s.last_error_at = Some(now());
                s.head = repo.head();
            }
        }
    }
}
