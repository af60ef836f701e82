//! Each note's commits, read in one pass: `git log --name-status -z` over the whole history at
//! start-up, then only `git log OLD..NEW` when HEAD moves. Renames are followed (a moved note keeps
//! its history); a path deleted and later re-created starts afresh. Merge commits are skipped: the
//! commits they bring in carry the changes.
//!
//! The commit lists live in memory, keyed by note id (the path relative to the root at HEAD),
//! newest first; each commit is shared by the notes it touched.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use serde::Serialize;

use super::{GitError, Repo};
use crate::analysis::fold_key;
use crate::index::card::Changes;

/// One commit, as a note's history shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Commit {
    pub hash: String,
    pub author: String,
    pub email: String,
    /// The author date, RFC 3339 with the author's offset (what `git log` shows).
    pub date: String,
    pub subject: String,
    /// The commit time in Unix seconds: when the change entered the branch; `updated` and
    /// `/api/recent` go by it.
    #[serde(skip)]
    pub committed: i64,
}

/// The history of every note, shared by the writer (which keeps it current) and the readers.
pub type Shared = Arc<RwLock<History>>;

/// Commit lists per note id, as of one HEAD.
#[derive(Debug, Default)]
pub struct History {
    head: Option<String>,
    by_path: HashMap<String, Vec<Arc<Commit>>>,
    commits: usize,
    /// Seconds the last full pass took.
    pub pass_seconds: f64,
}

/// What [`History::update`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Update {
    /// HEAD has not moved.
    Unchanged,
    /// New commits on top of the old HEAD: these ids (as of the new HEAD, and the paths the old
    /// ones had) changed history.
    Changed(BTreeSet<String>),
    /// HEAD moved somewhere that does not descend from the old one (reset, force-push, checkout
    /// of another branch): the whole history was read again.
    Rewritten,
}

/// The `git log` arguments every pass uses. Paths relative to the root, limited to it.
fn log_args(range: Option<&str>) -> Vec<String> {
    let mut args: Vec<String> = [
        "-c",
        "log.showSignature=false",
        "log",
        "-M",
        "--no-merges",
        "--name-status",
        "-z",
        "--relative",
        "--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%ct%x1f%s",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(range.map(str::to_string));
    args.extend(["--".to_string(), ".".to_string()]);
    args
}

/// One file change of a commit, as `--name-status` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Added(String),
    Modified(String),
    Deleted(String),
    Renamed { from: String, to: String },
    Copied { to: String },
}

/// Commits, newest first, with their changes.
pub type Log = Vec<(Arc<Commit>, Vec<Change>)>;
/// Commit lists by path.
type Lists = HashMap<String, Vec<Arc<Commit>>>;
/// Where an older path's history belongs now (`None`: nowhere).
type Aliases = HashMap<String, Option<String>>;

/// Parses `git log` output in the format of [`log_args`]: commits newest first with their changes.
pub fn parse(out: &[u8]) -> Log {
    let mut commits = Vec::new();
    for record in out.split(|b| *b == 0x1e).filter(|r| !r.is_empty()) {
        let mut parts = record.split(|b| *b == 0);
        let Some(header) = parts.next() else { continue };
        let header = String::from_utf8_lossy(header);
        let fields: Vec<&str> = header.trim_end_matches('\n').split('\x1f').collect();
        let [hash, author, email, date, committed, subject] = fields[..] else {
            continue;
        };
        let commit = Arc::new(Commit {
            hash: hash.to_string(),
            author: author.to_string(),
            email: email.to_string(),
            date: date.to_string(),
            subject: subject.to_string(),
            committed: committed.parse().unwrap_or(0),
        });
        let mut tokens = parts.map(|t| String::from_utf8_lossy(t).trim_start_matches('\n').to_string());
        let mut changes = Vec::new();
        while let Some(status) = tokens.next() {
            if status.is_empty() {
                continue;
            }
            let Some(path) = tokens.next() else { break };
            let change = match status.as_bytes()[0] {
                b'A' => Change::Added(path),
                b'D' => Change::Deleted(path),
                b'R' => match tokens.next() {
                    Some(to) => Change::Renamed { from: path, to },
                    None => break,
                },
                b'C' => match tokens.next() {
                    Some(to) => Change::Copied { to },
                    None => break,
                },
                _ => Change::Modified(path),
            };
            changes.push(change);
        }
        commits.push((commit, changes));
    }
    commits
}

/// Attributes commits (newest first) to the paths the files have at the newest commit, following
/// renames backwards. Returns the lists and, for every path the walk met under another name or saw
/// born, where that path's older history belongs (`None`: to no file that exists at the newest
/// commit).
fn attribute(commits: Log) -> (Lists, Aliases) {
    let mut lists: HashMap<String, Vec<Arc<Commit>>> = HashMap::new();
    // A path in an older commit → the id it has at the newest one (identity when absent).
    let mut alias: HashMap<String, Option<String>> = HashMap::new();
    let resolve = |alias: &HashMap<String, Option<String>>, p: &str| match alias.get(p) {
        Some(target) => target.clone(),
        None => Some(p.to_string()),
    };
    for (commit, changes) in commits {
        let mut credit = |id: Option<String>| {
            if let Some(id) = id {
                let list = lists.entry(id).or_default();
                // A commit touching a file under two names (a rename plus an edit) counts once.
                if list.last().is_none_or(|c| !Arc::ptr_eq(c, &commit)) {
                    list.push(commit.clone());
                }
            }
        };
        let mut born: Vec<(String, Option<String>)> = Vec::new();
        for change in changes {
            match change {
                Change::Modified(p) => credit(resolve(&alias, &p)),
                Change::Added(p) => {
                    credit(resolve(&alias, &p));
                    // Before its birth the path held nothing that exists now.
                    born.push((p, None));
                }
                // The deleted file is gone at the newest commit (a re-created one was born later).
                Change::Deleted(p) => born.push((p, None)),
                Change::Renamed { from, to } => {
                    let id = resolve(&alias, &to);
                    credit(id.clone());
                    born.push((to, None));
                    born.push((from, id));
                }
                Change::Copied { to } => {
                    credit(resolve(&alias, &to));
                    born.push((to, None));
                }
            }
        }
        // Applied after the whole commit so that its changes are read against the same names;
        // births first, so that a rename's source wins over a new file of the same name.
        born.sort_by_key(|(_, target)| target.is_some());
        for (path, target) in born {
            alias.insert(path, target);
        }
    }
    (lists, alias)
}

impl History {
    /// An empty history (no git, or not loaded yet).
    pub fn empty() -> History {
        History::default()
    }

    /// Reads the whole history of the root in one pass.
    pub fn full(repo: &Repo) -> Result<History, GitError> {
        let started = Instant::now();
        let Some(head) = repo.head() else {
            return Ok(History::empty());
        };
        let args = log_args(Some(&head));
        let out = repo.git(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
        let commits = parse(&out);
        let count = commits.len();
        let (by_path, _) = attribute(commits);
        Ok(History { head: Some(head), by_path, commits: count, pass_seconds: started.elapsed().as_secs_f64() })
    }

    /// The history of the root, or an empty one (logged) when there is no repository or git fails.
    pub fn load(repo: Option<&Repo>) -> History {
        let Some(repo) = repo else {
            return History::empty();
        };
        match History::full(repo) {
            Ok(h) => {
                tracing::info!(
                    commits = h.commits,
                    notes = h.by_path.len(),
                    seconds = h.pass_seconds,
                    "read the git history"
                );
                h
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the git history: using file times");
                History::empty()
            }
        }
    }

    /// Brings the history to the repository's current HEAD: incrementally when the new HEAD
    /// descends from the old one, else by a full pass.
    pub fn update(&mut self, repo: &Repo) -> Result<Update, GitError> {
        let new = repo.head();
        if new == self.head {
            return Ok(Update::Unchanged);
        }
        let (Some(old), Some(new)) = (self.head.clone(), new) else {
            *self = History::full(repo)?;
            return Ok(Update::Rewritten);
        };
        if !repo.git_ok(&["merge-base", "--is-ancestor", &old, &new])? {
            *self = History::full(repo)?;
            return Ok(Update::Rewritten);
        }
        let range = format!("{old}..{new}");
        let args = log_args(Some(&range));
        let out = repo.git(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
        let changed = self.apply(parse(&out));
        self.head = Some(new);
        Ok(Update::Changed(changed))
    }

    /// Puts newer commits (newest first) on top; returns the ids whose history changed, including
    /// the old paths of renamed or deleted files.
    fn apply(&mut self, commits: Log) -> BTreeSet<String> {
        self.commits += commits.len();
        let (fresh, alias) = attribute(commits);
        let mut changed: BTreeSet<String> = alias.keys().cloned().collect();
        // Older history under names that changed moves to the new name (or is dropped).
        let mut moved: HashMap<String, Vec<Arc<Commit>>> = HashMap::new();
        for (path, target) in &alias {
            if let Some(old) = self.by_path.remove(path) {
                if let Some(id) = target {
                    moved.entry(id.clone()).or_default().extend(old);
                }
            }
        }
        for (id, mut list) in fresh {
            changed.insert(id.clone());
            list.extend(moved.remove(&id).unwrap_or_default());
            list.extend(self.by_path.remove(&id).unwrap_or_default());
            self.by_path.insert(id, list);
        }
        for (id, list) in moved {
            changed.insert(id.clone());
            self.by_path.entry(id).or_default().extend(list);
        }
        changed
    }

    pub fn head(&self) -> Option<&str> {
        self.head.as_deref()
    }

    /// Commits read (merges aside).
    pub fn commits(&self) -> usize {
        self.commits
    }

    /// Ids with at least one commit.
    pub fn paths(&self) -> usize {
        self.by_path.len()
    }

    /// The commits of a note, newest first (empty without history).
    pub fn of(&self, id: &str) -> &[Arc<Commit>] {
        self.by_path.get(id).map_or(&[], Vec::as_slice)
    }

    /// The digest of a note's commits (0 without any), as the index keeps it.
    pub fn digest_of(&self, id: &str) -> u64 {
        match self.of(id) {
            [] => 0,
            commits => digest(commits),
        }
    }

    /// What the history says about a note; without commits, its file time (`mtime_ns`) dates it.
    pub fn changes(&self, id: &str, mtime_ns: i64) -> Changes {
        let commits = self.of(id);
        let (Some(last), Some(first)) = (commits.first(), commits.last()) else {
            let updated = (mtime_ns > 0).then_some(mtime_ns / 1_000_000_000);
            return Changes { updated, ..Changes::default() };
        };
        Changes {
            updated: Some(last.committed),
            created: Some(first.committed),
            contributors: contributors(commits),
            digest: digest(commits),
        }
    }
}

/// Authors by number of commits (then most recent first), one entry per person however their name
/// was cased or spelled in Persian variants.
pub fn contributors(commits: &[Arc<Commit>]) -> Vec<String> {
    let mut order: Vec<(String, String, usize)> = Vec::new();
    for c in commits {
        let key = fold_key(&c.author);
        match order.iter_mut().find(|(k, _, _)| *k == key) {
            Some(entry) => entry.2 += 1,
            None => order.push((key, c.author.clone(), 1)),
        }
    }
    // A stable sort keeps the newest-first order among equals.
    order.sort_by_key(|entry| std::cmp::Reverse(entry.2));
    order.into_iter().map(|(_, name, _)| name).collect()
}

fn digest(commits: &[Arc<Commit>]) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for c in commits {
        h.update(c.hash.as_bytes());
    }
    // 0 means "no history" in the index.
    h.digest().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(hash: &str, author: &str) -> Arc<Commit> {
        Arc::new(Commit {
            hash: hash.into(),
            author: author.into(),
            email: String::new(),
            date: String::new(),
            subject: String::new(),
            committed: 0,
        })
    }

    fn ids(list: &[Arc<Commit>]) -> Vec<&str> {
        list.iter().map(|c| c.hash.as_str()).collect()
    }

    use Change::*;

    fn s(x: &str) -> String {
        x.to_string()
    }

    #[test]
    fn parses_name_status_z() {
        let out = b"\x1eaaa\x1fSara\x1fs@x\x1f2026-01-01T10:00:00+03:30\x1f1767250800\x1fFirst\0\nM\0a.md\0R087\0b.md\0c.md\0\x1ebbb\x1fReza\x1fr@x\x1f2026-01-02T10:00:00+00:00\x1f1767348000\x1fEmpty\0";
        let parsed = parse(out);
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].0.author, "Sara");
        assert_eq!(parsed[0].0.committed, 1767250800);
        assert_eq!(parsed[0].1, vec![Modified(s("a.md")), Renamed { from: s("b.md"), to: s("c.md") }]);
        assert!(parsed[1].1.is_empty());
    }

    /// Histories as (commit, changes), newest first, and what each current id must get.
    #[test]
    fn renames_deletes_and_rebirths() {
        let c = |h: &str| commit(h, "A");
        type Case = (&'static str, Log, Vec<(&'static str, Vec<&'static str>)>);
        let cases: Vec<Case> = vec![
            (
                "edits",
                vec![(c("2"), vec![Modified(s("a"))]), (c("1"), vec![Added(s("a"))])],
                vec![("a", vec!["2", "1"])],
            ),
            (
                "a rename keeps the older history",
                vec![
                    (c("3"), vec![Modified(s("b"))]),
                    (c("2"), vec![Renamed { from: s("a"), to: s("b") }]),
                    (c("1"), vec![Added(s("a"))]),
                ],
                vec![("b", vec!["3", "2", "1"])],
            ),
            (
                "a path deleted and created again starts afresh",
                vec![(c("3"), vec![Added(s("a"))]), (c("2"), vec![Deleted(s("a"))]), (c("1"), vec![Added(s("a"))])],
                vec![("a", vec!["3"])],
            ),
            (
                "a renamed-away path is reused by another file",
                vec![
                    (c("3"), vec![Added(s("a"))]),
                    (c("2"), vec![Renamed { from: s("a"), to: s("b") }]),
                    (c("1"), vec![Added(s("a"))]),
                ],
                vec![("a", vec!["3"]), ("b", vec!["2", "1"])],
            ),
            (
                "a copy does not inherit",
                vec![(c("2"), vec![Copied { to: s("b") }]), (c("1"), vec![Added(s("a"))])],
                vec![("a", vec!["1"]), ("b", vec!["2"])],
            ),
        ];
        for (name, commits, want) in cases {
            let (lists, _) = attribute(commits);
            for (id, hashes) in want {
                assert_eq!(lists.get(id).map(|l| ids(l)).unwrap_or_default(), hashes, "{name}: {id}");
            }
        }
    }

    #[test]
    fn incremental_equals_full() {
        let c = |h: &str, a: &str| commit(h, a);
        let all = vec![
            (c("5", "Reza"), vec![Modified(s("n/b"))]),
            (c("4", "Mina"), vec![Renamed { from: s("a"), to: s("n/b") }, Deleted(s("x"))]),
            (c("3", "Sara"), vec![Modified(s("a")), Added(s("y"))]),
            (c("2", "Reza"), vec![Modified(s("a")), Added(s("x"))]),
            (c("1", "Sara"), vec![Added(s("a"))]),
        ];
        let (full, _) = attribute(all.clone());
        let mut h = History::empty();
        h.apply(all[2..].to_vec());
        let changed = h.apply(all[..2].to_vec());
        assert_eq!(changed, ["a", "n/b", "x"].iter().map(|x| x.to_string()).collect());
        for id in ["n/b", "y"] {
            assert_eq!(ids(h.of(id)), ids(&full[id]), "{id}");
        }
        assert!(h.of("a").is_empty() && h.of("x").is_empty());
        assert_eq!(ids(h.of("n/b")), ["5", "4", "3", "2", "1"]);
        assert_eq!(contributors(h.of("n/b")), ["Reza", "Sara", "Mina"]);
    }

    #[test]
    fn without_history_the_file_time_dates_a_note() {
        let h = History::empty();
        let c = h.changes("a.md", 1_700_000_000_123_456_789);
        assert_eq!(c.updated, Some(1_700_000_000));
        assert_eq!(c.digest, 0);
        assert!(c.contributors.is_empty());
    }
}
