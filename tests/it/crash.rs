//! Crash consistency (issue #9): `daftar index` and `daftar serve` (watching) are killed with
//! SIGKILL at random moments while they index large batches, over and over; after each kill a
//! `daftar index` run to completion must leave the index equal to the folder: every note exactly
//! once, none missing, none stale (each version of a note carries a word of its own), no stamp
//! that disagrees with the file. The index is a cache, but a kill must not even cost a rebuild.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use daftar::index::writer::{document, hash};
use daftar::index::{sync, Index};
use daftar::vault::Vault;
use tantivy::schema::Value;
use tantivy::TantivyDocument;

use super::harness::Root;
use super::robustness::Rng;

const NOTES: usize = 2_000;
const ROUNDS: usize = 24;
const FOLDERS: usize = 20;

/// The folder as the test wrote it: note id → the word only its current version holds.
struct Folder {
    root: PathBuf,
    notes: BTreeMap<String, String>,
    serial: u64,
    rng: Rng,
}

/// A word made of letters only (the analysers keep it whole), unique per serial number.
fn word(serial: u64) -> String {
    let mut s = String::from("qz");
    let mut n = serial;
    for _ in 0..6 {
        s.push(char::from(b'a' + (n % 26) as u8));
        n /= 26;
    }
    s
}

impl Folder {
    fn new(root: &Path, seed: u64) -> Folder {
        let mut f = Folder { root: root.to_path_buf(), notes: BTreeMap::new(), serial: 0, rng: Rng(seed) };
        for i in 0..NOTES {
            f.write(&format!("f{:02}/n{i:05}.md", i % FOLDERS));
        }
        f
    }

    /// Writes a new version of a note (creating it if needed).
    fn write(&mut self, id: &str) {
        self.serial += 1;
        let w = word(self.serial);
        let text = format!(
            "---\ntitle: Note {id}\ntags: [crash, v{}]\n---\n# Note {id}\n\nThis version says {w}. \
             The steering committee reviewed the vendor onboarding risk and the cutover plan.\n\n\
             ## Details\n\nبرنامه‌ریزی آموزش کاربران پیش از استقرار انجام شد. {w}\n",
            self.serial
        );
        let path = self.root.join(id);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write note");
        self.notes.insert(id.to_string(), w);
    }

    fn any_id(&mut self) -> Option<String> {
        let n = self.notes.len();
        (n > 0).then(|| self.notes.keys().nth(self.rng.below(n)).cloned()).flatten()
    }

    /// One batch of a few hundred changes: edits, additions, deletions, and now and then a whole
    /// folder moved (the watcher sees a folder vanish and another appear).
    fn mutate(&mut self, changes: usize) {
        for _ in 0..changes {
            match self.rng.below(10) {
                0..=4 => {
                    if let Some(id) = self.any_id() {
                        self.write(&id);
                    }
                }
                5..=7 => {
                    let id = format!("f{:02}/new{:06}.md", self.rng.below(FOLDERS), self.serial);
                    self.write(&id);
                }
                _ => {
                    if let Some(id) = self.any_id() {
                        std::fs::remove_file(self.root.join(&id)).expect("rm note");
                        self.notes.remove(&id);
                    }
                }
            }
        }
        if self.rng.below(3) == 0 {
            self.move_folder();
        }
    }

    fn move_folder(&mut self) {
        let Some(id) = self.any_id() else { return };
        let Some((from, _)) = id.split_once('/') else { return };
        let from = from.to_string();
        self.serial += 1;
        let to = format!("m{}", self.serial);
        std::fs::rename(self.root.join(&from), self.root.join(&to)).expect("move folder");
        let prefix = format!("{from}/");
        let moved: Vec<String> = self.notes.keys().filter(|k| k.starts_with(&prefix)).cloned().collect();
        for old in moved {
            let w = self.notes.remove(&old).expect("moved note");
            self.notes.insert(format!("{to}/{}", &old[prefix.len()..]), w);
        }
    }
}

/// Starts the real binary on `root`, its log in `log`.
fn spawn(root: &Path, args: &[&str], log: &Path) -> Child {
    let stderr = std::fs::File::create(log).expect("log file");
    Command::new(env!("CARGO_BIN_EXE_daftar"))
        .args(&args[..1])
        .arg("--root")
        .arg(root)
        .args(&args[1..])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("start daftar")
}

/// Lets the child run for `delay`, then SIGKILLs it. `None` when it was still running, else how
/// long it took to finish by itself.
fn kill_after(child: &mut Child, delay: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut finished = None;
    while started.elapsed() < delay {
        if child.try_wait().expect("try_wait").is_some() {
            finished = Some(started.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(5).min(delay.saturating_sub(started.elapsed())));
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    finished
}

fn log_of(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The index, read through the library: each id with the bodies of its live documents.
fn documents(index: &Index) -> HashMap<String, Vec<String>> {
    let searcher = index.searcher();
    let f = index.fields();
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let store = segment.get_store_reader(64).expect("store");
        for doc in segment.doc_ids_alive() {
            let d: TantivyDocument = store.get(doc).expect("stored doc");
            let id = d.get_first(f.id).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let body = d.get_first(f.body).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            assert!(!id.is_empty(), "a document without an id in segment {ord}");
            out.entry(id).or_default().push(body);
        }
    }
    out
}

/// The index equals the folder exactly. Returns how many notes carry an older mtime than their
/// file's: a note saved twice while the watcher indexed it is read after its first save's stat, so
/// its content and hash are the second save's (checked) under the first save's mtime; the next sync
/// compares the hash and keeps it. Harmless, and never the other way round (a newer mtime over older
/// content would hide a change).
fn assert_consistent(folder: &Folder, round: usize) -> usize {
    let vault = Vault::open(&folder.root).expect("vault");
    let entries = vault.scan();
    let on_disk: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    let expected: Vec<&str> = folder.notes.keys().map(String::as_str).collect();
    assert_eq!(on_disk, expected, "round {round}: the folder is not what the test wrote");

    let index = Index::open(&folder.root.join(".daftar"), false).expect("open the index");
    assert!(!index.fresh, "round {round}: the index had to be rebuilt");
    let docs = documents(&index);
    let num_docs = index.searcher().num_docs() as usize;
    assert_eq!(num_docs, entries.len(), "round {round}: {num_docs} documents for {} notes", entries.len());
    let stamps = sync::indexed(&index).expect("stamps");
    let mut older = 0;
    for entry in &entries {
        let bodies = docs.get(&entry.id).unwrap_or_else(|| panic!("round {round}: {} is missing", entry.id));
        assert_eq!(bodies.len(), 1, "round {round}: {} is indexed {} times", entry.id, bodies.len());
        let w = &folder.notes[&entry.id];
        assert!(bodies[0].contains(w.as_str()), "round {round}: {} is stale (no {w})", entry.id);
        let s = stamps[&entry.id].stamp;
        let bytes = std::fs::read(&entry.path).expect("read note");
        assert_eq!((s.size, s.hash), (entry.size, hash(&bytes)), "round {round}: {} has a stale stamp", entry.id);
        assert!(s.mtime <= entry.mtime, "round {round}: {} is stamped newer than its file", entry.id);
        older += usize::from(s.mtime != entry.mtime);
    }
    assert_eq!(docs.len(), entries.len(), "round {round}: the index holds notes the folder does not");
    older
}

#[test]
fn killed_index_and_serve_runs_leave_an_index_equal_to_the_folder() {
    let started = Instant::now();
    let root = Root::empty();
    let logs = tempfile::tempdir().expect("logs");
    let mut folder = Folder::new(&root.path, 0x00DA_F7A2);
    // How long a full run takes, to aim the kills inside it (the first one indexes every note).
    let mut full = Duration::from_millis(1_500);
    let mut killed_index = 0;
    let mut older = 0;
    for round in 0..ROUNDS {
        let serve = round % 2 == 1;
        let log = logs.path().join(format!("round-{round}.log"));
        let mut child = if serve {
            let child = spawn(&root.path, &["serve", "--addr", "127.0.0.1:0"], &log);
            // Changes arrive while it starts, reconciles and watches, in three bursts.
            for _ in 0..3 {
                std::thread::sleep(Duration::from_millis(folder.rng.below(150) as u64));
                let changes = 60 + folder.rng.below(60);
                folder.mutate(changes);
            }
            child
        } else {
            if round > 0 {
                let changes = 200 + folder.rng.below(200);
                folder.mutate(changes);
            }
            spawn(&root.path, &["index"], &log)
        };
        let delay = full.mul_f64((folder.rng.below(1_000) as f64 / 1_000.0) * if serve { 1.5 } else { 0.8 });
        let finished = kill_after(&mut child, delay);
        let hit = finished.is_none();
        // `serve` never stops by itself: one that did is a failure in its own right.
        assert!(hit || !serve, "round {round}: serve had exited before the kill:\n{}", log_of(&log));
        killed_index += usize::from(hit && !serve);
        let killed_log = log_of(&log);
        assert!(!killed_log.contains("rebuilding"), "round {round}: the killed run rebuilt the index:\n{killed_log}");

        let log = logs.path().join(format!("round-{round}-after.log"));
        let t = Instant::now();
        let status = spawn(&root.path, &["index"], &log).wait().expect("index");
        let after = log_of(&log);
        assert!(status.success(), "round {round}: daftar index after a kill failed:\n{after}");
        assert!(!after.contains("rebuilding"), "round {round}: the index was rebuilt after a kill:\n{after}");
        // A run that finished tells how long one takes; a run killed in its work leaves that work to
        // this one, whose time is then a full run's.
        if !serve {
            full = finished.unwrap_or_else(|| t.elapsed()).max(Duration::from_millis(100));
        }
        older += assert_consistent(&folder, round);
    }
    // Kills must land while `daftar index` works, or its half of the test proves little.
    assert!(killed_index >= ROUNDS / 6, "only {killed_index} of {} kills hit a running index", ROUNDS / 2);
    eprintln!(
        "crash: {ROUNDS} rounds, {killed_index} of {} index runs killed while running, {} notes at the end, \
         {older} stamped with an earlier mtime, {:.1}s",
        ROUNDS / 2,
        folder.notes.len(),
        started.elapsed().as_secs_f64()
    );
}

/// The state a writer killed inside its commit leaves: the segment's new delete file
/// (`<segment>.<opstamp>.del`) written and registered as managed, `meta.json` still the previous
/// commit's. A later writer that reaches the same opstamp must not trip over the orphan (tantivy
/// creates the file with `create_new`: `FileAlreadyExists`, found by the kill test above).
#[test]
fn a_commit_interrupted_after_its_delete_files_does_not_block_the_next() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("tantivy");
    let meta = data.join("meta.json");
    let note = |id: &str, text: &str| daftar::note::parse(id, text.as_bytes());
    let created = Index::open(dir.path(), false).expect("create");
    let fields = created.fields();
    let doc = |id: &str, text: &str| document(fields, note(id, text), Default::default(), &Default::default());
    let id_term = |id: &str| tantivy::Term::from_field_text(fields.id, id);

    // The crash, staged with one writer thread so that both notes share a segment.
    let raw = tantivy::Index::open_in_dir(&data).expect("open");
    daftar::analysis::register(raw.tokenizers());
    let mut w: tantivy::IndexWriter<daftar::index::writer::NoteDocument> =
        raw.writer_with_num_threads(1, 15_000_000).expect("writer");
    w.add_document(doc("a.md", "# A\n\nfirst\n")).expect("add");
    w.add_document(doc("b.md", "# B\n")).expect("add");
    w.commit().expect("commit");
    let committed = std::fs::read(&meta).expect("meta.json");
    w.delete_term(id_term("a.md"));
    w.add_document(doc("a.md", "# A\n\nsecond\n")).expect("add");
    w.commit().expect("commit");
    drop(w);
    let del_files = || -> Vec<String> {
        let names =
            std::fs::read_dir(&data).expect("ls").flatten().map(|e| e.file_name().to_string_lossy().into_owned());
        names.filter(|n| n.ends_with(".del")).collect()
    };
    let orphan = del_files().pop().expect("a delete file");
    std::fs::write(&meta, &committed).expect("roll meta.json back");
    drop(created);

    // The next run updates `a.md` again, with more and more other operations until its commit
    // reaches the orphan's opstamp (each run on a fresh copy of the crashed index).
    let mut collided = false;
    for others in 0..12 {
        let copy = tempfile::tempdir().expect("tempdir");
        copy_dir(dir.path(), copy.path());
        let index = Index::open(copy.path(), false).expect("open after the crash");
        let mut w = index.writer().expect("writer after the crash");
        w.upsert(note("a.md", "# A\n\nsecond\n"), Default::default()).expect("upsert");
        for _ in 0..others {
            w.delete("gone.md");
        }
        w.commit().unwrap_or_else(|e| panic!("the commit after the crash ({others} other operations): {e}"));
        assert_eq!(index.searcher().num_docs(), 2);
        collided |= copy.path().join("tantivy").join(&orphan).exists();
    }
    assert!(collided, "no run reached the orphan's opstamp ({orphan})");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("ls").flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
