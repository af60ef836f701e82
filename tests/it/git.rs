//! Git-native knowledge against real temporary repositories: several authors with fixed dates,
//! a local bare remote to pull from, signed webhooks, the Atom feed read back by a feed parser,
//! review dates judged by an injected clock, and two servers following one remote converging.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use super::harness::{daftar, eventually, stderr, stdout};
use daftar::config::Config;
use daftar::git::webhook;
use daftar::indexer::{Indexer, Job};
use daftar::server::{self, AppState, Clock};

const DEADLINE: Duration = Duration::from_secs(30);
const SECRET: &str = "s3cret";

/// Runs git in `dir` as `author` at `date` (both fixed, so commits are reproducible), isolated from
/// the machine's git configuration.
fn git_as(dir: &Path, author: &str, date: &str, args: &[&str]) -> String {
    let email = format!("{}@example.org", author.split_whitespace().next().unwrap_or("x").to_lowercase());
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", &email)
        .env("GIT_COMMITTER_NAME", author)
        .env("GIT_COMMITTER_EMAIL", &email)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?} in {}: {}", dir.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn git(dir: &Path, args: &[&str]) -> String {
    git_as(dir, "Setup", "2026-01-01T00:00:00+00:00", args)
}

/// Stages everything and commits it.
fn commit(dir: &Path, author: &str, date: &str, message: &str) {
    git_as(dir, author, date, &["add", "-A"]);
    git_as(dir, author, date, &["commit", "-q", "-m", message]);
}

fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, content).expect("write");
}

fn note(title: &str, front: &str, body: &str) -> String {
    format!("---\ntitle: {title}\n{front}---\n\n{body}\n")
}

fn init(dir: &Path) {
    std::fs::create_dir_all(dir).expect("mkdir");
    git(dir, &["init", "-q", "-b", "main"]);
}

/// An in-process server on a root, driven through its router.
struct Node {
    state: AppState,
    indexer: Option<Indexer>,
    rt: tokio::runtime::Runtime,
}

impl Node {
    fn start(root: &Path, secret: Option<&str>, clock: Clock) -> Node {
        let config = Config {
            watch: false,
            webhook_secret: secret.map(str::to_string),
            addr: "127.0.0.1:0".parse().expect("addr"),
            ..Config::for_root(root)
        };
        let (state, indexer) = server::start_with_clock(&config, clock).expect("start");
        super::harness::ready(&indexer, DEADLINE);
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        Node { state, indexer: Some(indexer), rt }
    }

    fn request(&self, method: &str, uri: &str, headers: &[(&str, &str)], body: &[u8]) -> (StatusCode, Vec<u8>) {
        self.rt.block_on(async {
            let mut req = Request::builder().method(method).uri(uri);
            for (k, v) in headers {
                req = req.header(*k, *v);
            }
            let res = server::router(self.state.clone())
                .oneshot(req.body(Body::from(body.to_vec())).expect("request"))
                .await
                .expect("infallible");
            let status = res.status();
            (status, res.into_body().collect().await.expect("body").to_bytes().to_vec())
        })
    }

    fn json(&self, uri: &str) -> Value {
        let (status, body) = self.request("GET", uri, &[], b"");
        assert_eq!(status, StatusCode::OK, "{uri}: {}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).expect("json")
    }

    fn hook(&self, headers: &[(&str, &str)], body: &[u8]) -> StatusCode {
        self.request("POST", "/api/hooks/git", headers, body).0
    }

    /// A valid hook; true when it queued a pull (false: coalesced into a queued one).
    fn hook_queued(&self, headers: &[(&str, &str)], body: &[u8]) -> bool {
        let (status, answer) = self.request("POST", "/api/hooks/git", headers, body);
        assert_eq!(status, StatusCode::ACCEPTED, "{}", String::from_utf8_lossy(&answer));
        serde_json::from_slice::<Value>(&answer).expect("json")["pull"] == "queued"
    }

    /// Waits until the puller has made `attempts` attempts and is idle.
    fn pulls_done(&self, attempts: u64) -> Value {
        eventually("the pulls asked for", DEADLINE, || {
            let pull = self.json("/api/stats")["pull"].clone();
            (pull["attempts"].as_u64() == Some(attempts) && pull["running"] == false).then_some(pull)
        })
    }

    /// Asks for a pull the way a forge does.
    fn push_event(&self) {
        let body = br#"{"ref":"refs/heads/main"}"#;
        let sig = webhook::sign(SECRET, body);
        assert_eq!(self.hook(&[("X-Hub-Signature-256", &sig)], body), StatusCode::ACCEPTED);
    }

    fn ids(&self, q: &str) -> Vec<String> {
        let v = self.json(&format!("/api/search?limit=100&q={}", enc(q)));
        v["hits"].as_array().expect("hits").iter().map(|h| h["id"].as_str().expect("id").to_string()).collect()
    }

    fn head(&self) -> Option<String> {
        self.json("/api/stats")["git"]["head"].as_str().map(str::to_string)
    }

    fn jobs(&self) -> &std::sync::mpsc::Sender<Job> {
        &self.indexer.as_ref().expect("indexer").jobs
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(i) = self.indexer.take() {
            i.stop();
        }
    }
}

fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn note_uri(id: &str) -> String {
    format!("/api/notes/{}", enc(id).replace('+', "%20"))
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

fn vendor(extra: &str) -> String {
    note(
        "Vendor onboarding lesson",
        "kind: lesson\nprogram: Alpha\nproject: ERP\nexperts: [Sara Ahmadi]\nkey: true\ndate: 2026-01-10\n",
        &format!("Vendor onboarding needs milestones in contracts; procurement delays. {extra}"),
    )
}

#[test]
fn history_authorship_and_incremental_updates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("kb");
    init(&root);
    write(&root, "alpha/erp/vendor.md", &vendor(""));
    write(
        &root,
        "beta/crm/risk.md",
        &note("Data migration risk", "kind: risk\nexperts: [Mina Rahimi]\n", "legacy data"),
    );
    commit(&root, "Sara Ahmadi", "2026-01-10T10:00:00+00:00", "Add vendor lesson and risk");
    write(&root, "alpha/erp/vendor.md", &vendor("Updated with payment terms."));
    commit(&root, "Reza Karimi", "2026-01-12T10:00:00+03:30", "Payment terms");
    git(&root, &["mv", "beta/crm/risk.md", "beta/crm/migration-risk.md"]);
    commit(&root, "Mina Rahimi", "2026-01-15T10:00:00+00:00", "Rename the risk");

    let node = Node::start(&root, None, Clock::system());
    let v = node.json(&note_uri("alpha/erp/vendor.md"));
    let history = v["history"].as_array().expect("history");
    let authors: Vec<&str> = history.iter().map(|h| h["author"].as_str().expect("author")).collect();
    assert_eq!(authors, ["Reza Karimi", "Sara Ahmadi"], "newest first");
    assert_eq!(history[0]["subject"], "Payment terms");
    assert_eq!(history[0]["email"], "reza@example.org");
    assert_eq!(history[0]["date"], "2026-01-12T10:00:00+03:30");
    assert_eq!(history[0]["hash"].as_str().map(str::len), Some(40));
    assert_eq!(strings(&v["contributors"]), ["Reza Karimi", "Sara Ahmadi"]);
    assert_eq!(v["updated"], "2026-01-12T06:30:00Z");
    assert_eq!(v["created"], "2026-01-10T10:00:00Z");

    // A rename keeps the note's history.
    let moved = node.json(&note_uri("beta/crm/migration-risk.md"));
    let moved_authors: Vec<&str> =
        moved["history"].as_array().expect("history").iter().filter_map(|h| h["author"].as_str()).collect();
    assert_eq!(moved_authors, ["Mina Rahimi", "Sara Ahmadi"]);

    // Hits carry `updated`; the people who know a note include its commit authors.
    let hit = &node.json("/api/search?q=vendor")["hits"][0];
    assert_eq!(hit["id"], "alpha/erp/vendor.md");
    assert_eq!(hit["updated"], "2026-01-12T06:30:00Z");
    let by_reza = tantivy::query::TermQuery::new(
        tantivy::Term::from_field_text(node.state.index.fields().author_k, &daftar::analysis::fold_key("Reza Karimi")),
        tantivy::schema::IndexRecordOption::Basic,
    );
    let cards = daftar::index::browse::cards(&node.state.index, &by_reza, 10).expect("cards");
    assert_eq!(cards.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["alpha/erp/vendor.md"]);
    let people = node.json("/api/experts");
    let names: Vec<&str> =
        people["experts"].as_array().expect("experts").iter().filter_map(|e| e["name"].as_str()).collect();
    assert!(names.contains(&"Reza Karimi") && names.contains(&"Sara Ahmadi"), "{names:?}");

    // The expert finder: the named expert who also wrote it first, then the contributor.
    let found = node.json("/api/experts?q=procurement+onboarding");
    let ranked = found["experts"].as_array().expect("experts");
    assert_eq!(ranked[0]["name"], "Sara Ahmadi");
    assert_eq!(ranked[0]["evidence"][0]["id"], "alpha/erp/vendor.md");
    assert_eq!(ranked[0]["evidence"][0]["role"], "both");
    assert_eq!(ranked[1]["name"], "Reza Karimi");
    assert!(ranked[0]["score"].as_f64() > ranked[1]["score"].as_f64());
    assert_eq!(ranked[0]["notes"], 1);

    // HEAD moves: only the note whose history changed is indexed again.
    write(&root, "alpha/erp/vendor.md", &vendor("Reviewed by finance."));
    commit(&root, "Neda Jafari", "2026-01-20T09:00:00+00:00", "Finance review");
    node.jobs().send(Job::Head).expect("send");
    eventually("the new commit in the note's history", DEADLINE, || {
        let v = node.json(&note_uri("alpha/erp/vendor.md"));
        (v["history"].as_array().map(Vec::len) == Some(3)).then_some(())
    });
    eventually("the new commit in the index", DEADLINE, || {
        let hit = node.json("/api/search?q=vendor")["hits"][0].clone();
        (hit["updated"] == "2026-01-20T09:00:00Z").then_some(hit)
    });
    let sync = eventually("the batch's report", DEADLINE, || {
        node.state.status.last_sync.lock().expect("lock").clone().filter(|s| s.reason == "git")
    });
    assert_eq!((sync.summary.added, sync.summary.updated, sync.summary.removed), (0, 1, 0), "{sync:?}");
    let hit = &node.json("/api/search?q=vendor")["hits"][0];
    assert_eq!(strings(&hit["contributors"]), ["Neda Jafari", "Reza Karimi", "Sara Ahmadi"]);
}

/// A bare remote with one commit, an expert's clone to push from, and a server's clone.
struct Remote {
    _dir: tempfile::TempDir,
    bare: PathBuf,
    work: PathBuf,
}

impl Remote {
    fn new() -> Remote {
        let dir = tempfile::tempdir().expect("tempdir");
        let bare = dir.path().join("remote.git");
        let work = dir.path().join("expert");
        git(dir.path(), &["init", "-q", "--bare", "-b", "main", bare.to_str().expect("utf-8")]);
        git(dir.path(), &["clone", "-q", bare.to_str().expect("utf-8"), work.to_str().expect("utf-8")]);
        git(&work, &["checkout", "-q", "-B", "main"]);
        write(&work, "alpha/erp/vendor.md", &vendor(""));
        commit(&work, "Sara Ahmadi", "2026-01-10T10:00:00+00:00", "Add vendor lesson");
        git(&work, &["push", "-q", "origin", "main"]);
        Remote { _dir: dir, bare, work }
    }

    fn clone_to(&self, name: &str) -> PathBuf {
        let path = self.work.parent().expect("parent").join(name);
        git(&self.work, &["clone", "-q", self.bare.to_str().expect("utf-8"), path.to_str().expect("utf-8")]);
        path
    }

    fn push(&self, author: &str, date: &str, message: &str, change: impl FnOnce(&Path)) {
        change(&self.work);
        commit(&self.work, author, date, message);
        git(&self.work, &["push", "-q", "origin", "main"]);
    }

    fn head(&self) -> String {
        git(&self.work, &["rev-parse", "HEAD"])
    }
}

#[test]
fn webhook_pulls_and_a_failed_pull_keeps_serving() {
    let remote = Remote::new();
    let root = remote.clone_to("server");
    let node = Node::start(&root, Some(SECRET), Clock::system());
    remote.push("Mina Rahimi", "2026-02-01T08:00:00+00:00", "Pulled note", |w| {
        write(w, "beta/crm/pulled.md", &note("Pulled note", "kind: lesson\nprogram: Beta\n", "zzpulled content"));
    });

    let body = br#"{"ref":"refs/heads/main"}"#;
    let good = webhook::sign(SECRET, body);
    let other = webhook::sign("not the secret", body);
    let refusals: [&[(&str, &str)]; 4] = [
        &[],
        &[("X-Hub-Signature-256", "sha256=00")],
        &[("X-Hub-Signature-256", &other)],
        &[("X-Gitlab-Token", "guess")],
    ];
    for headers in refusals {
        let (status, answer) = node.request("POST", "/api/hooks/git", headers, body);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{headers:?}");
        let v: Value = serde_json::from_slice(&answer).expect("json");
        assert_eq!(v["error"]["code"], "unauthorized");
    }
    // A signature over another body does not transfer.
    assert_eq!(node.hook(&[("X-Hub-Signature-256", &good)], b"{}"), StatusCode::UNAUTHORIZED);
    assert!(node.ids("zzpulled").is_empty(), "nothing is pulled without a valid signature");

    let mut queued = u64::from(node.hook_queued(&[("X-Hub-Signature-256", &good)], body));
    eventually("the pushed note", DEADLINE, || (node.ids("zzpulled") == ["beta/crm/pulled.md"]).then_some(()));
    let pulled = node.json(&note_uri("beta/crm/pulled.md"));
    assert_eq!(strings(&pulled["contributors"]), ["Mina Rahimi"]);
    // Gitea's and GitLab's forms are accepted too.
    let gitea = good.trim_start_matches("sha256=").to_string();
    queued += u64::from(node.hook_queued(&[("X-Gitea-Signature", &gitea)], body));
    queued += u64::from(node.hook_queued(&[("X-Gitlab-Token", SECRET)], body));
    let pull = node.pulls_done(queued);
    assert_eq!(pull["head"].as_str(), Some(remote.head().as_str()));
    assert_eq!(pull["upstream"], "origin/main");
    assert_eq!(pull["failing"], false);
    assert_eq!(pull["pulls"], 1, "only the first pull brought commits");

    // The server's branch diverges from the remote: the pull fails, is shown, and nothing is lost.
    write(&root, "local.md", &note("Local edit", "kind: lesson\n", "zzlocal"));
    commit(&root, "Local Admin", "2026-02-02T08:00:00+00:00", "Local commit");
    let local_head = git(&root, &["rev-parse", "HEAD"]);
    remote.push("Reza Karimi", "2026-02-03T08:00:00+00:00", "Remote commit", |w| {
        write(w, "beta/crm/diverged.md", &note("Diverged", "kind: lesson\n", "zzdiverged"));
    });
    let sig = webhook::sign(SECRET, body);
    queued += u64::from(node.hook_queued(&[("X-Hub-Signature-256", &sig)], body));
    let pull = node.pulls_done(queued);
    assert_eq!(pull["failing"], true);
    assert_eq!(pull["failures"], 1);
    assert!(pull["last_error"].as_str().expect("error").contains("fast-forward"), "{pull}");
    assert_eq!(pull["head"].as_str(), Some(local_head.as_str()));
    assert_eq!(git(&root, &["rev-parse", "HEAD"]), local_head, "the work tree is untouched");
    assert_eq!(node.ids("zzpulled"), ["beta/crm/pulled.md"], "still serving the last good state");
    assert!(node.ids("zzdiverged").is_empty());
}

#[test]
fn two_servers_following_one_remote_converge() {
    let remote = Remote::new();
    let a = Node::start(&remote.clone_to("a"), Some(SECRET), Clock::system());
    let b = Node::start(&remote.clone_to("b"), Some(SECRET), Clock::system());
    remote.push("Reza Karimi", "2026-02-01T08:00:00+00:00", "Risks", |w| {
        write(w, "beta/crm/risk.md", &note("Data migration risk", "kind: risk\nprogram: Beta\n", "legacy data risk"));
        write(w, "beta/crm/old.md", &note("Old decision", "kind: decision\n", "superseded risk decision"));
    });
    // A follows every push; B sleeps through the first.
    a.push_event();
    eventually("A at the first push", DEADLINE, || (a.head().as_deref() == Some(remote.head().as_str())).then_some(()));
    remote.push("Mina Rahimi", "2026-02-05T08:00:00+00:00", "Rename, edit, delete", |w| {
        git(w, &["mv", "beta/crm/risk.md", "beta/crm/migration-risk.md"]);
        write(w, "alpha/erp/vendor.md", &vendor("Edited: risk of delay."));
        std::fs::remove_file(w.join("beta/crm/old.md")).expect("rm");
    });
    a.push_event();
    b.push_event();
    let head = remote.head();
    for (name, node) in [("A", &a), ("B", &b)] {
        eventually(&format!("{name} at the remote's HEAD"), DEADLINE, || {
            (node.head().as_deref() == Some(head.as_str())).then_some(())
        });
    }
    // Scores aside (BM25 statistics count deleted documents until segments merge, and A saw more
    // deletions), and lists in a canonical order, both servers must say the same.
    let view = |node: &Node, uri: &str| canonical(node.json(uri));
    eventually("both indexes to agree", DEADLINE, || {
        let same = ["/api/search?q=risk", "/api/search?q=", "/api/experts?q=risk", "/api/recent?since=2000-01-01"]
            .iter()
            .all(|uri| view(&a, uri) == view(&b, uri));
        same.then_some(())
    });
    assert_eq!(a.ids("risk"), ["beta/crm/migration-risk.md", "alpha/erp/vendor.md"]);
    let moved = a.json(&note_uri("beta/crm/migration-risk.md"));
    let authors: Vec<&str> =
        moved["history"].as_array().expect("h").iter().filter_map(|h| h["author"].as_str()).collect();
    assert_eq!(authors, ["Mina Rahimi", "Reza Karimi"]);
    assert_eq!(a.json("/api/stats")["notes"], b.json("/api/stats")["notes"]);
}

/// A JSON value without scores or timings, its lists of notes or people sorted by id or name.
fn canonical(v: Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.into_iter().filter(|(k, _)| k != "score" && k != "took_ms").map(|(k, v)| (k, canonical(v))).collect(),
        ),
        Value::Array(a) => {
            let mut items: Vec<Value> = a.into_iter().map(canonical).collect();
            let key = |v: &Value| v.get("id").or_else(|| v.get("name")).and_then(Value::as_str).map(str::to_string);
            items.sort_by_key(key);
            Value::Array(items)
        }
        other => other,
    }
}

/// Notes with review dates around "today" = 2026-03-01, committed on different days.
fn decisions_repo(root: &Path) {
    init(root);
    let key = |program: &str, date: &str, review: &str| {
        format!("kind: decision\nprogram: {program}\nkey: true\ndate: {date}\nreview_by: {review}\nexperts: [Sara Ahmadi]\n")
    };
    write(root, "alpha/charter.md", &note("Alpha charter", &key("Alpha", "2025-06-01", "2025-12-01"), "charter"));
    write(root, "alpha/budget.md", &note("Alpha budget", &key("Alpha", "2026-01-15", "2026-03-20"), "budget"));
    commit(root, "Sara Ahmadi", "2026-01-15T10:00:00+00:00", "Alpha key documents");
    write(root, "alpha/scope.md", &note("Alpha scope", &key("Alpha", "2026-02-10", "2027-01-01"), "scope"));
    write(root, "alpha/lesson.md", &note("Alpha lesson", "kind: lesson\nprogram: Alpha\nreview_by: 2026-02-27\n", "l"));
    commit(root, "Reza Karimi", "2026-02-10T10:00:00+00:00", "Scope and a lesson");
    write(root, "beta/plan.md", &note("Beta plan", &key("Beta", "2026-02-20", "2026-02-28"), "plan"));
    commit(root, "Mina Rahimi", "2026-02-20T10:00:00+00:00", "Beta plan");
}

fn ids_of(v: &Value) -> Vec<&str> {
    v.as_array().expect("list").iter().map(|n| n["id"].as_str().expect("id")).collect()
}

#[test]
fn reviews_key_documents_and_recent_changes_by_an_injected_clock() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("kb");
    decisions_repo(&root);
    let today = chrono::DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").expect("date").to_utc();
    let node = Node::start(&root, None, Clock::fixed(today));

    let review = node.json("/api/review");
    assert_eq!(review["today"], "2026-03-01");
    assert_eq!(
        ids_of(&review["notes"]),
        ["alpha/charter.md", "alpha/lesson.md", "beta/plan.md"],
        "longest overdue first"
    );
    let days: Vec<i64> =
        review["notes"].as_array().expect("n").iter().filter_map(|n| n["days_overdue"].as_i64()).collect();
    assert_eq!(days, [90, 2, 1]);
    assert!(review["notes"].as_array().expect("n").iter().all(|n| n["review_state"] == "overdue"));
    assert_eq!(ids_of(&review["due_soon"]), ["alpha/budget.md"]);
    assert_eq!(review["due_soon"][0]["days_overdue"], -19);

    let key = node.json("/api/key?program=alpha");
    assert_eq!(ids_of(&key["notes"]), ["alpha/scope.md", "alpha/budget.md", "alpha/charter.md"], "newest first");
    let states: Vec<&str> =
        key["notes"].as_array().expect("n").iter().filter_map(|n| n["review_state"].as_str()).collect();
    assert_eq!(states, ["ok", "due_soon", "overdue"]);
    assert_eq!(node.json("/api/key")["total"], 4);

    let recent = node.json("/api/recent?since=2026-02-01");
    assert_eq!(ids_of(&recent["notes"]), ["beta/plan.md", "alpha/lesson.md", "alpha/scope.md"], "by commit time");
    let alpha = node.json("/api/recent?since=2026-02-01&program=Alpha");
    assert_eq!(ids_of(&alpha["notes"]), ["alpha/lesson.md", "alpha/scope.md"]);
    // The default window is the 30 days before the clock's now.
    assert_eq!(ids_of(&node.json("/api/recent")["notes"]), ["beta/plan.md", "alpha/lesson.md", "alpha/scope.md"]);
    let (status, _) = node.request("GET", "/api/recent?since=yesterday-ish", &[], b"");
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[test]
fn the_atom_feed_parses_and_follows_its_filters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("kb");
    decisions_repo(&root);
    let node = Node::start(&root, None, Clock::system());
    let (status, body) = node.request("GET", "/feed.atom?program=Alpha", &[("Host", "daftar.example.org")], b"");
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body).expect("utf-8");
    let feed: atom_syndication::Feed = text.parse().expect("a valid Atom feed");
    assert!(feed.title().contains("Alpha"));
    assert_eq!(feed.updated().to_rfc3339(), "2026-02-10T10:00:00+00:00");
    let entries = feed.entries();
    let ids: Vec<&str> = entries.iter().map(|e| e.id()).collect();
    assert_eq!(
        ids,
        [
            "urn:daftar:note:alpha%2Flesson%2Emd",
            "urn:daftar:note:alpha%2Fscope%2Emd",
            "urn:daftar:note:alpha%2Fbudget%2Emd",
            "urn:daftar:note:alpha%2Fcharter%2Emd"
        ]
    );
    let scope = &entries[1];
    assert_eq!(scope.title().as_str(), "Alpha scope");
    assert_eq!(scope.updated().to_rfc3339(), "2026-02-10T10:00:00+00:00");
    assert_eq!(scope.links()[0].href(), "http://daftar.example.org/notes/alpha/scope.md");
    let people: Vec<&str> = scope.authors().iter().map(|p| p.name()).collect();
    assert_eq!(people, ["Sara Ahmadi", "Reza Karimi"]);
    assert!(scope.categories().iter().any(|c| c.term() == "decision"));
    assert!(feed.links().iter().any(|l| l.rel() == "self" && l.href().ends_with("/feed.atom?program=Alpha")));

    let (_, body) = node.request("GET", "/feed.atom?key=true&kind=decision", &[], b"");
    let keyed: atom_syndication::Feed = String::from_utf8(body).expect("utf-8").parse().expect("atom");
    assert_eq!(keyed.entries().len(), 4);
    let (status, _) = node.request("GET", "/feed.atom?key=perhaps", &[], b"");
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[test]
fn without_git_everything_degrades_to_file_times() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("kb");
    write(&root, "a/plain.md", &note("Plain note", "kind: lesson\nexperts: [Sara Ahmadi]\n", "zzplain words"));
    let node = Node::start(&root, Some(SECRET), Clock::system());
    let v = node.json(&note_uri("a/plain.md"));
    assert_eq!(v["history"], serde_json::json!([]));
    assert_eq!(v["contributors"], serde_json::json!([]));
    let mtime: chrono::DateTime<chrono::Utc> =
        std::fs::metadata(root.join("a/plain.md")).and_then(|m| m.modified()).expect("mtime").into();
    assert_eq!(v["updated"], mtime.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    assert_eq!(node.json("/api/search?q=zzplain")["hits"][0]["updated"], v["updated"]);
    assert_eq!(ids_of(&node.json("/api/recent")["notes"]), ["a/plain.md"]);
    let stats = node.json("/api/stats");
    assert!(stats["git"].is_null() && stats["pull"].is_null(), "{stats}");
    let body = b"{}";
    let sig = webhook::sign(SECRET, body);
    assert_eq!(node.hook(&[("X-Hub-Signature-256", &sig)], body), StatusCode::NOT_FOUND);
    assert_eq!(node.hook(&[], body), StatusCode::UNAUTHORIZED);
    let found = node.json("/api/experts?q=zzplain");
    assert_eq!(found["experts"][0]["name"], "Sara Ahmadi");

    // Without a secret there is no webhook at all.
    let other = dir.path().join("kb2");
    init(&other);
    write(&other, "n.md", &note("N", "kind: lesson\n", "n"));
    commit(&other, "Sara Ahmadi", "2026-01-10T10:00:00+00:00", "n");
    let plain = Node::start(&other, None, Clock::system());
    assert_eq!(plain.hook(&[("X-Hub-Signature-256", &webhook::sign(SECRET, body))], body), StatusCode::NOT_FOUND);
}

#[test]
fn the_pre_commit_hook_checks_staged_notes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    init(&repo);
    // The knowledge root is a folder of the repository, as in daftar's own.
    let root = repo.join("knowledge");
    write(&root, "alpha/good.md", &vendor(""));
    commit(&repo, "Sara Ahmadi", "2026-01-10T10:00:00+00:00", "first");
    let root_s = root.to_str().expect("utf-8");

    let out = daftar(&["check", "--install-hook", "--root", root_s]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("installed the pre-commit hook"), "{}", stdout(&out));
    let hook = repo.join(".git/hooks/pre-commit");
    let script = std::fs::read_to_string(&hook).expect("hook");
    assert!(script.contains(daftar::git::hook::MARKER) && script.contains("--root 'knowledge'"), "{script}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&hook).expect("meta").permissions().mode() & 0o111, 0o111);
    }
    let again = daftar(&["check", "--install-hook", "--root", root_s]);
    assert!(stdout(&again).contains("already installed"), "{}", stdout(&again));
    let nothing = daftar(&["check", "--staged", "--root", root_s]);
    assert!(nothing.status.success() && stderr(&nothing).contains("no staged notes"), "{}", stderr(&nothing));

    // A broken note cannot be committed; fixed, it can.
    write(&root, "alpha/bad.md", "---\ntitle: Bad\ndate: 2026-13-45\n---\n\nSee [[nowhere]].\n");
    git(&repo, &["add", "-A"]);
    let commit_out = Command::new("git")
        .args(["commit", "-q", "-m", "bad"])
        .current_dir(&repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Reza Karimi")
        .env("GIT_AUTHOR_EMAIL", "reza@example.org")
        .env("GIT_COMMITTER_NAME", "Reza Karimi")
        .env("GIT_COMMITTER_EMAIL", "reza@example.org")
        .output()
        .expect("git commit");
    assert!(!commit_out.status.success(), "the hook let a broken note through");
    let said =
        format!("{}{}", String::from_utf8_lossy(&commit_out.stdout), String::from_utf8_lossy(&commit_out.stderr));
    assert!(said.contains("alpha/bad.md:3:") && said.contains("nowhere"), "{said}");
    write(&root, "alpha/bad.md", "---\ntitle: Fixed\ndate: 2026-01-15\n---\n\nSee [[good]].\n");
    git(&repo, &["add", "-A"]);
    commit(&repo, "Reza Karimi", "2026-01-15T10:00:00+00:00", "fixed");

    // Someone else's hook is left alone, with the line to chain daftar into it.
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").expect("write");
    let refused = daftar(&["check", "--install-hook", "--root", root_s]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("add") && stderr(&refused).contains("--staged"), "{}", stderr(&refused));
    assert_eq!(std::fs::read_to_string(&hook).expect("hook"), "#!/bin/sh\necho mine\n");

    // The expert finder on the command line.
    let out = daftar(&["experts", "procurement", "onboarding", "--json", "--root", root_s]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(v["experts"][0]["name"], "Sara Ahmadi");
    let text = daftar(&["experts", "procurement", "--root", root_s]);
    assert!(stdout(&text).contains("1. Sara Ahmadi"), "{}", stdout(&text));
}
