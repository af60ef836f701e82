//! Live ingestion with the real watcher and the real writer thread on a temporary root: every change
//! a user or git makes shows in search, ignored places never do, and an idle server commits nothing.

use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::harness::{eventually, Root};
use daftar::config::Config;
use daftar::index::search::{self, Request};
use daftar::indexer::Indexer;
use daftar::server::{self, AppState};
use daftar::vault::watch::{self, Watcher};

const DEADLINE: Duration = Duration::from_secs(20);

struct Live {
    root: Root,
    state: AppState,
    indexer: Option<Indexer>,
    watcher: Option<Watcher>,
}

impl Live {
    fn start(root: Root, poll: bool) -> Live {
        let config = Config {
            root: root.path.clone(),
            index: root.path.join(".daftar"),
            addr: "127.0.0.1:0".parse().expect("addr"),
            config_file: None,
            watch: true,
            poll,
            ..Config::for_root(&root.path)
        };
        let (state, indexer) = server::start(&config).expect("start");
        let watcher =
            watch::start(state.vault.clone(), indexer.jobs.clone(), indexer.status.clone(), poll).expect("watch");
        super::harness::ready(&indexer, DEADLINE);
        Live { root, state, indexer: Some(indexer), watcher: Some(watcher) }
    }

    fn ids(&self, q: &str) -> Vec<String> {
        let req = Request { q: q.to_string(), limit: 100, facets: false, ..Default::default() };
        search::search(&self.state.index, &req).expect("search").hits.into_iter().map(|h| h.card.id).collect()
    }

    fn total(&self, q: &str) -> usize {
        let req = Request { q: q.to_string(), limit: 1, facets: false, ..Default::default() };
        search::search(&self.state.index, &req).expect("search").total
    }

    /// Waits until `q` finds exactly `want`.
    fn expect(&self, q: &str, want: &[&str]) {
        let mut last = Vec::new();
        let ok = std::iter::repeat_with(|| {
            last = self.ids(q);
            last == want
        });
        let deadline = std::time::Instant::now() + DEADLINE;
        for found in ok {
            if found {
                return;
            }
            assert!(std::time::Instant::now() < deadline, "{q}: want {want:?}, still {last:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn commits(&self) -> u64 {
        self.state.status.commits.load(Ordering::Relaxed)
    }

    fn stop(mut self) -> Root {
        drop(self.watcher.take());
        if let Some(i) = self.indexer.take() {
            i.stop();
        }
        std::mem::replace(&mut self.root, Root::empty())
    }
}

fn note(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\nkind: lesson\n---\n\n{body}\n")
}

fn atomic_save(path: &Path, text: &str) {
    let tmp = path.with_extension("md.tmp~");
    std::fs::write(&tmp, text).expect("write tmp");
    std::fs::rename(&tmp, path).expect("rename over");
}

#[test]
fn edits_renames_deletes_and_moves_follow() {
    let live = Live::start(Root::empty(), false);
    let r = &live.root;
    r.write("p/a.md", note("Alpha", "zzalpha"));
    live.expect("zzalpha", &["p/a.md"]);

    // Modify, and the old text is gone.
    r.write("p/a.md", note("Alpha", "zzbeta"));
    live.expect("zzbeta", &["p/a.md"]);
    live.expect("zzalpha", &[]);

    // Atomic save, as editors do.
    atomic_save(&r.path.join("p/a.md"), &note("Alpha", "zzgamma"));
    live.expect("zzgamma", &["p/a.md"]);
    live.expect("zzbeta", &[]);

    // Rename a file.
    std::fs::rename(r.path.join("p/a.md"), r.path.join("p/renamed.md")).expect("rename");
    live.expect("zzgamma", &["p/renamed.md"]);

    // Rename a folder: every note in it gets its new id.
    r.write("p/sub/b.md", note("Bravo", "zzbravo"));
    live.expect("zzbravo", &["p/sub/b.md"]);
    std::fs::rename(r.path.join("p"), r.path.join("q")).expect("rename dir");
    live.expect("zzgamma", &["q/renamed.md"]);
    live.expect("zzbravo", &["q/sub/b.md"]);

    // A folder moved in from outside the root, and one moved out.
    let outside = tempfile::tempdir().expect("tempdir");
    let incoming = outside.path().join("incoming");
    std::fs::create_dir_all(incoming.join("deep")).expect("mkdir");
    std::fs::write(incoming.join("deep/c.md"), note("Charlie", "zzcharlie")).expect("write");
    std::fs::rename(&incoming, r.path.join("incoming")).expect("move in");
    live.expect("zzcharlie", &["incoming/deep/c.md"]);
    std::fs::rename(r.path.join("q"), outside.path().join("q-out")).expect("move out");
    live.expect("zzgamma", &[]);
    live.expect("zzbravo", &[]);

    // Delete.
    std::fs::remove_file(r.path.join("incoming/deep/c.md")).expect("rm");
    live.expect("zzcharlie", &[]);

    // Front matter turns invalid (still indexed, problem listed) and back.
    r.write("inv.md", "---\ntitle: Invalid\ndate: 2026-13-45\n---\nzzinvalid\n");
    live.expect("zzinvalid", &["inv.md"]);
    let problems = || daftar::index::sync::count_with_problems(&live.state.index).expect("count");
    eventually("problem listed", DEADLINE, || (problems() == 1).then_some(()));
    r.write("inv.md", "---\ntitle: Invalid\ndate: 2026-12-25\n---\nzzinvalid\n");
    eventually("problem cleared", DEADLINE, || (problems() == 0).then_some(()));
    live.stop();
}

#[test]
fn ignored_places_never_reach_the_index_and_idle_makes_no_commit() {
    let live = Live::start(Root::empty(), false);
    let r = &live.root;
    r.write(".gitignore", "drafts/\n");
    r.write("visible.md", note("Visible", "zzvisible"));
    live.expect("zzvisible", &["visible.md"]);
    r.write(".git/x.md", note("Git", "zzignored"));
    r.write(".hidden.md", note("Hidden", "zzignored"));
    r.write("drafts/d.md", note("Draft", "zzignored"));
    r.write("p/.n.md.swp", "zzignored");
    r.write("p/n.md~", "zzignored");
    r.write("p/4913", "zzignored");
    r.write("p/n.tmp", "zzignored");
    r.write("after.md", note("After", "zzafter"));
    live.expect("zzafter", &["after.md"]);
    assert!(live.ids("zzignored").is_empty());

    // Settled: nothing changes, so nothing is committed (the index must not trigger itself).
    std::thread::sleep(Duration::from_millis(500));
    let before = live.commits();
    std::thread::sleep(Duration::from_secs(3));
    let _ = live.ids("zzafter");
    assert_eq!(live.commits(), before, "an idle server committed");
    live.stop();
}

#[test]
fn a_burst_of_500_notes_is_all_searchable_in_few_commits() {
    let live = Live::start(Root::empty(), false);
    let before = live.commits();
    for i in 0..500 {
        live.root.write(&format!("burst/{}/n{i}.md", i % 10), note(&format!("Burst {i}"), "zzburst"));
    }
    eventually("500 notes", Duration::from_secs(60), || (live.total("zzburst") == 500).then_some(()));
    let commits = live.commits() - before;
    assert!(commits < 100, "500 files took {commits} commits");
    live.stop();
}

#[test]
fn polling_mode_sees_changes() {
    let live = Live::start(Root::empty(), true);
    live.root.write("polled.md", note("Polled", "zzpolled"));
    live.expect("zzpolled", &["polled.md"]);
    std::fs::remove_file(live.root.path.join("polled.md")).expect("rm");
    live.expect("zzpolled", &[]);
    live.stop();
}

#[test]
fn restart_reconciles_what_changed_while_down_without_reparsing_the_rest() {
    let live = Live::start(Root::knowledge(), false);
    let root = live.stop();
    root.write("while-down.md", note("Written while down", "zzdown"));
    std::fs::remove_file(root.path.join("pmo/pmis/pmis-architecture.md")).expect("rm");
    let live = Live::start(root, false);
    live.expect("zzdown", &["while-down.md"]);
    let last = live.state.status.last_sync.lock().expect("lock").clone().expect("synced");
    assert_eq!((last.summary.added, last.summary.updated, last.summary.removed), (1, 0, 1));
    assert_eq!(last.summary.unchanged, 55);
    live.stop();
}

/// `GET /api/reports` through the real router: the report's JSON.
fn report(live: &Live, runtime: &tokio::runtime::Runtime, query: &str) -> serde_json::Value {
    let req = axum::http::Request::get(format!("/api/reports{query}"));
    let (status, _, body) = runtime.block_on(super::harness::oneshot(&live.state, req));
    assert!(status.is_success(), "{status}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).expect("report JSON")
}

#[test]
fn a_report_asked_again_is_kept_until_a_note_changes() {
    let root = Root::empty();
    root.write("p/a.md", note("First lesson", "zzreport one"));
    let live = Live::start(root, false);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let first = report(&live, &runtime, "");
    assert_eq!(first["totals"]["notes"], 1, "{first}");
    // Asked again a second later, with nothing changed: the same report, built at the same moment.
    std::thread::sleep(Duration::from_millis(1100));
    let again = report(&live, &runtime, "");
    assert_eq!(again, first, "the report was built again");
    // Another scope is another report.
    let scoped = report(&live, &runtime, "?program=p");
    assert_ne!(scoped["generated"], first["generated"], "{scoped}");
    assert_eq!(scoped["scope"]["program"], "p");
    // A note saved: the next report counts it.
    atomic_save(&live.root.path.join("p/b.md"), &note("Second lesson", "zzreport two"));
    eventually("the second note", DEADLINE, || (live.total("zzreport") == 2).then_some(()));
    let after = report(&live, &runtime, "");
    assert_eq!(after["totals"]["notes"], 2, "{after}");
    assert_ne!(after["generated"], first["generated"]);
    live.stop();
}
