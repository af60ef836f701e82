//! Load with writes (issue #9), the short CI variant of `benches/load.py`: the real `daftar serve`
//! on a few hundred notes, searched by several clients at once while a writer creates, edits and
//! deletes notes. No answer may be a 5xx or a broken connection; afterwards the API and the folder
//! agree exactly (every note's current word finds it, no superseded or deleted word finds anything,
//! `/api/stats` counts the files), and after a SIGTERM `daftar index` has nothing left to do. Nothing
//! here is timed: a slow machine only makes the deadlines wait longer.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::harness::{eventually, stdout, Root};
use super::robustness::Rng;

const NOTES: usize = 300;
const FOLDERS: usize = 10;
const CLIENTS: usize = 8;
const RUN: Duration = Duration::from_secs(4);
const DEADLINE: Duration = Duration::from_secs(60);

/// A word of letters and digits, unique per serial number: a code means exactly itself (no typo
/// tolerance, no stemming), so no version's word finds another's.
fn word(serial: u64) -> String {
    format!("zqload{serial:05}x")
}

fn text(id: &str, word: &str) -> String {
    format!(
        "---\ntitle: Note {id}\nkind: lesson\ntags: [load]\n---\n# Note {id}\n\nThe steering committee \
         reviewed the vendor onboarding risk. This version says {word}.\n\nبرنامه‌ریزی آموزش کاربران.\n"
    )
}

/// The folder as the writer left it, and every word no longer in it.
struct Folder {
    root: std::path::PathBuf,
    live: BTreeMap<String, String>,
    dead: Vec<String>,
    serial: u64,
    rng: Rng,
    ops: [usize; 3],
}

impl Folder {
    fn write(&mut self, id: &str) {
        self.serial += 1;
        let w = word(self.serial);
        let path = self.root.join(id);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        if self.rng.below(4) == 0 {
            std::fs::write(&path, text(id, &w)).expect("write in place");
        } else {
            let tmp = path.with_extension("md.tmp~");
            std::fs::write(&tmp, text(id, &w)).expect("write tmp");
            std::fs::rename(&tmp, &path).expect("rename over");
        }
        if let Some(old) = self.live.insert(id.to_string(), w) {
            self.dead.push(old);
        }
    }

    fn any(&mut self) -> String {
        let n = self.rng.below(self.live.len());
        self.live.keys().nth(n).cloned().expect("a live note")
    }

    /// One change: an edit (half the time), a new note or a deletion.
    fn change(&mut self) {
        match self.rng.below(10) {
            0..=4 => {
                let id = self.any();
                self.write(&id);
                self.ops[1] += 1;
            }
            5..=7 => {
                let id = format!("f{:02}/new{:05}.md", self.rng.below(FOLDERS), self.serial + 1);
                self.write(&id);
                self.ops[0] += 1;
            }
            _ => {
                let id = self.any();
                std::fs::remove_file(self.root.join(&id)).expect("rm");
                self.dead.push(self.live.remove(&id).expect("live"));
                self.ops[2] += 1;
            }
        }
    }
}

struct Served {
    child: Child,
    base: String,
}

impl Served {
    fn start(root: &Path, log: &Path) -> Served {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
        let child = Command::new(env!("CARGO_BIN_EXE_daftar"))
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).expect("log"))
            .spawn()
            .expect("start daftar serve");
        Served { child, base: format!("http://127.0.0.1:{port}") }
    }

    /// SIGTERM, and the exit status once it has committed and stopped.
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill -TERM");
        assert!(sent.success(), "kill -TERM {pid}");
        eventually("daftar serve to stop", DEADLINE, || self.child.try_wait().expect("try_wait"))
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

fn get(agent: &ureq::Agent, url: &str) -> Option<(u16, Value)> {
    let mut res = agent.get(url).call().ok()?;
    let status = res.status().as_u16();
    let body = res.body_mut().read_to_string().ok()?;
    Some((status, serde_json::from_str(&body).unwrap_or(Value::Null)))
}

fn search_url(base: &str, q: &str, extra: &str) -> String {
    let q: String = form_urlencoded::byte_serialize(q.as_bytes()).collect();
    format!("{base}/api/search?q={q}{extra}")
}

/// What the searching clients saw.
#[derive(Default)]
struct Seen {
    requests: usize,
    failures: Vec<String>,
}

fn client(base: String, stop: Arc<AtomicBool>, seen: Arc<Mutex<Seen>>, k: usize) {
    let agent = agent();
    let searches = [
        ("steering committee", ""),
        ("vendor onboarding", "&sort=date"),
        ("\"steering committee\"", "&limit=50"),
        ("برنامه ریزی", ""),
        ("ريسك", "&kind=lesson"),
        ("vend", "&prefix=true"),
        ("onbaording", ""),
        ("vendor -risk", "&offset=20"),
        ("committee OR vendor", "&match=all&tag=load"),
        ("zqload", "&prefix=true"),
    ];
    let mut i = k;
    let (mut requests, mut failures) = (0, Vec::new());
    while !stop.load(Ordering::Relaxed) {
        let (q, extra) = searches[i % searches.len()];
        i += 1;
        let url = search_url(&base, q, extra);
        requests += 1;
        match agent.get(&url).call() {
            Ok(mut res) => {
                let status = res.status().as_u16();
                let body = res.body_mut().read_to_string();
                if status != 200 || body.is_err() {
                    failures.push(format!("{status} {url}: {body:?}"));
                }
            }
            Err(e) => failures.push(format!("{url}: {e}")),
        }
    }
    let mut seen = seen.lock().expect("lock");
    seen.requests += requests;
    seen.failures.extend(failures);
}

/// Every live word finds exactly its note; no dead word finds anything. Words are asked 40 at a
/// time (`a OR b OR ...`). `None` while they disagree, with the last disagreement in `last`.
fn agrees(agent: &ureq::Agent, base: &str, folder: &Folder, last: &mut String) -> Option<()> {
    let live: Vec<(&String, &String)> = folder.live.iter().collect();
    for chunk in live.chunks(40) {
        let q = chunk.iter().map(|(_, w)| w.as_str()).collect::<Vec<_>>().join(" OR ");
        let (status, v) = get(agent, &search_url(base, &q, "&limit=100"))?;
        let mut got: Vec<&str> = v["hits"].as_array()?.iter().filter_map(|h| h["id"].as_str()).collect();
        got.sort_unstable();
        let want: Vec<&str> = chunk.iter().map(|(id, _)| id.as_str()).collect();
        if status != 200 || got != want {
            *last = format!("{status}: want {want:?}, got {got:?}");
            return None;
        }
    }
    for chunk in folder.dead.chunks(40) {
        let (status, v) = get(agent, &search_url(base, &chunk.join(" OR "), "&limit=100"))?;
        if status != 200 || v["total"].as_u64() != Some(0) {
            *last = format!("{status}: dead words still found: {}", v["hits"]);
            return None;
        }
    }
    Some(())
}

fn files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("ls")
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                0
            } else if e.file_type().expect("type").is_dir() {
                files(&e.path())
            } else {
                usize::from(name.ends_with(".md"))
            }
        })
        .sum()
}

#[test]
fn searches_during_writes_never_fail_and_the_index_ends_equal_to_the_folder() {
    let root = Root::empty();
    let logs = tempfile::tempdir().expect("logs");
    let mut folder = Folder {
        root: root.path.clone(),
        live: BTreeMap::new(),
        dead: Vec::new(),
        serial: 0,
        rng: Rng(0x10AD),
        ops: [0; 3],
    };
    for i in 0..NOTES {
        folder.write(&format!("f{:02}/n{i:04}.md", i % FOLDERS));
    }
    let log = logs.path().join("serve.log");
    let served = Served::start(&root.path, &log);
    let base = served.base.clone();
    let agent = agent();
    eventually("/readyz", DEADLINE, || get(&agent, &format!("{base}/readyz")).filter(|(s, _)| *s == 200));

    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|k| {
            let (base, stop, seen) = (base.clone(), stop.clone(), seen.clone());
            std::thread::spawn(move || client(base, stop, seen, k))
        })
        .collect();
    let started = Instant::now();
    while started.elapsed() < RUN {
        folder.change();
        std::thread::sleep(Duration::from_millis(5));
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().expect("client thread");
    }
    let seen = seen.lock().expect("lock");
    let serve_log = || std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        seen.failures.is_empty(),
        "{} of {} searches failed: {:?}\n{}",
        seen.failures.len(),
        seen.requests,
        &seen.failures[..seen.failures.len().min(5)],
        serve_log()
    );
    assert!(
        seen.requests > 0 && folder.ops.iter().all(|&n| n > 0),
        "searches {}, changes {:?}",
        seen.requests,
        folder.ops
    );

    let mut last = String::new();
    let waited = Instant::now();
    while agrees(&agent, &base, &folder, &mut last).is_none() {
        assert!(waited.elapsed() < DEADLINE, "the API never agreed with the folder: {last}\n{}", serve_log());
        std::thread::sleep(Duration::from_millis(50));
    }
    let on_disk = files(&root.path);
    assert_eq!(on_disk, folder.live.len());
    let (status, stats) = get(&agent, &format!("{base}/api/stats")).expect("stats");
    assert_eq!((status, stats["notes"].as_u64()), (200, Some(on_disk as u64)), "/api/stats against the folder");

    let exit = served.terminate();
    assert!(exit.success(), "daftar serve exited with {exit} after SIGTERM\n{}", serve_log());
    let out = root.daftar(&["index"]);
    assert!(out.status.success(), "daftar index: {}", super::harness::stderr(&out));
    assert!(stdout(&out).contains("0 added, 0 updated, 0 removed"), "not equal after stop: {}", stdout(&out));
    eprintln!(
        "load: {} searches by {CLIENTS} clients during {:?} changes (created, edited, deleted), {} notes at the end",
        seen.requests,
        folder.ops,
        folder.live.len()
    );
}
