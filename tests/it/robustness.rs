//! The short, deterministic cousin of the fuzz targets in `fuzz/` (issue #9): thousands of inputs
//! mutated from the same seed corpora (`fuzz/corpus/<target>/`), fed to the note parser, the query
//! parser (and the whole search, on a small index) and path vetting. Nothing may panic, and each
//! keeps its promise: a note always has a title, a bad query is a client error, a resolved path
//! stays inside the root, out of dotted folders and away from the config file.
//!
//! A failure prints the input (`{:?}`): add it to the corpus and as a regression case below.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use daftar::error::Error;
use daftar::index::card::Changes;
use daftar::index::schema::{self, Fields};
use daftar::index::search::{self, Request, Sort};
use daftar::index::writer::{document, Stamp};
use daftar::index::{query, Index};
use daftar::note;
use daftar::vault::path::{resolve, vet};

/// Xorshift64*: small, seeded, the same sequence everywhere (also drives `crash.rs`).
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("corpus folder").flatten().map(|e| e.path()).collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).expect("seed")).collect();
    assert!(seeds.len() >= 5, "the {target} corpus has {} seeds", seeds.len());
    seeds
}

/// One mutation of `input`, in the spirit of libFuzzer's: flips, inserts of characters that
/// parsers care about, erasures, duplications and splices with another seed.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, seeds: &[Vec<u8>], dictionary: &[&str]) {
    let at = |rng: &mut Rng, v: &Vec<u8>| rng.below(v.len() + 1);
    match rng.below(7) {
        0 if !input.is_empty() => {
            let i = rng.below(input.len());
            input[i] ^= 1 << rng.below(8);
        }
        1 => {
            let i = at(rng, input);
            let token = rng.pick(dictionary).as_bytes().to_vec();
            input.splice(i..i, token);
        }
        2 if !input.is_empty() => {
            let i = rng.below(input.len());
            let n = rng.below(16).min(input.len() - i);
            input.drain(i..i + n);
        }
        3 if !input.is_empty() => {
            let i = rng.below(input.len());
            let n = (1 + rng.below(32)).min(input.len() - i);
            let piece = input[i..i + n].to_vec();
            let j = at(rng, input);
            input.splice(j..j, piece);
        }
        4 => {
            let other = rng.pick(seeds);
            let from = rng.below(other.len() + 1);
            let to = from + rng.below(other.len() - from + 1);
            let i = at(rng, input);
            input.splice(i..i, other[from..to].iter().copied());
        }
        5 => input.truncate(rng.below(input.len() + 1)),
        _ => {
            let i = at(rng, input);
            input.insert(i, rng.next() as u8);
        }
    }
}

/// Runs `check` on every seed and on `rounds` mutated inputs; returns how many inputs ran.
fn explore(target: &str, rounds: usize, dictionary: &[&str], mut check: impl FnMut(&[u8])) -> usize {
    let seeds = corpus(target);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ target.len() as u64);
    let mut run = |input: &[u8]| {
        if catch_unwind(AssertUnwindSafe(|| check(input))).is_err() {
            panic!("{target}: panicked on input {:?}", String::from_utf8_lossy(input));
        }
    };
    for seed in &seeds {
        run(seed);
    }
    for _ in 0..rounds {
        let mut input = rng.pick(&seeds).clone();
        for _ in 0..1 + rng.below(8) {
            mutate(&mut rng, &mut input, &seeds, dictionary);
        }
        input.truncate(64 * 1024);
        run(&input);
    }
    seeds.len() + rounds
}

#[rustfmt::skip]
const NOTE_TOKENS: &[&str] = &[
    "---\n", "+++\n", "\n", "\r\n", ":", ": ", "- ", "[", "]", "{", "}", "\"", "'", "|", ">", "&a ", "*a", "!!str ",
    "# ", "## ", "[[", "]]", "](", ")", "![", "`", "```", "<", ">", "\u{FEFF}", "\u{200C}", "\0", "\u{202E}",
    "title:", "date: ", "tags: [", "experts:", "key: true", "title = ", "[meta]\n", "1404/13/40", "9999-99-99",
    "ي", "ك", "۱۲", "ـ", "َ", "http://", "../", "%2e%2e/", "#", "^1", "    ",
];

fn check_note(input: &[u8], root: &Path, fields: &Fields) {
    let id = ["fuzz/note.md", "طرح/پروژه/یادداشت.md", "README"][input.len() % 3];
    let parsed = note::parse(id, input);
    assert!(!parsed.title.is_empty(), "empty title");
    assert!(parsed.problems.iter().all(|p| p.line >= 1), "a problem on line 0: {:?}", parsed.problems);
    let html = note::render::render(&parsed, &|_| None);
    assert!(!html.contains("<script"), "unsanitised HTML: {html}");
    let names: HashSet<String> = note::links::names(id).into_iter().collect();
    let _ = daftar::check::broken_links(&parsed, &daftar::check::Targets::from_names(root, names));
    let _ = document(fields, parsed.clone(), Stamp::default(), &Changes::default());
    let _ = daftar::analysis::main_tokens(&parsed.text);
}

#[test]
fn note_parsing_survives_mutated_notes() {
    let empty = tempfile::tempdir().expect("tempdir");
    let fields = schema::build().1;
    // Regression found by fuzzing `note_parse`: a date the index cannot hold overflowed.
    let old = note::parse("a.md", b"+++\ndate = 0989-05-27T07:32:00-08:00\nreview_by = 9999-12-31\n+++\n");
    assert!(old.date.is_none() && old.review_by.is_none() && old.problems.len() == 2, "{:?}", old.problems);
    let ran = explore("note_parse", 5_000, NOTE_TOKENS, |input| check_note(input, empty.path(), &fields));
    assert!(ran > 5_000);
}

#[rustfmt::skip]
const QUERY_TOKENS: &[&str] = &[
    "\"", "«", "»", "“", "”", "(", ")", "-", ":", " OR ", "OR", " ", "program:", "meta.", "meta.x:", "title:", "tag:",
    "*", "\u{200C}", "\0", "ي", "ك", "۱۲", "http://", "e-mail", "\t", "\n", "ـ", "َ",
];

/// A small index the queries run against (as the fuzz target's, built once).
fn small_index(dir: &Path) -> Index {
    let index = Index::open(dir, true).expect("open");
    let mut w = index.writer().expect("writer");
    for (i, seed) in corpus("note_parse").iter().enumerate() {
        w.upsert(note::parse(&format!("n{i}.md"), seed), Stamp::default()).expect("upsert");
    }
    w.commit().expect("commit");
    index
}

#[test]
fn query_parsing_and_search_survive_mutated_queries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = small_index(dir.path());
    let mut searched = 0;
    let ran = explore("query_parse", 5_000, QUERY_TOKENS, |input| {
        let q = String::from_utf8_lossy(input);
        let parsed = query::parse(&q);
        if let Err(e) = &parsed {
            assert!(matches!(e, Error::Invalid { .. }), "{q:?}: not a client error: {e:?}");
        }
        let _ = daftar::analysis::expanded_tokens(&q);
        // The whole search for one input in two: it is what a client reaches, and it is slower.
        if input.len().is_multiple_of(2) {
            searched += 1;
            let n = q.len();
            let req = Request {
                q: q.to_string(),
                prefix: n.is_multiple_of(3),
                match_all: n.is_multiple_of(5),
                sort: if n.is_multiple_of(7) { Sort::Date } else { Sort::Relevance },
                ..Request::default()
            };
            match search::search(&index, &req) {
                Ok(_) => assert!(parsed.is_ok(), "{q:?} does not parse but was searched"),
                Err(e) => assert!(matches!(e, Error::Invalid { .. }), "{q:?}: search failed: {e:?}"),
            }
        }
    });
    assert!(ran > 5_000 && searched > 1_000, "{ran} inputs, {searched} searched");
}

#[rustfmt::skip]
const PATH_TOKENS: &[&str] = &[
    "/", "//", "..", "../", "./", ".", "%2f", "%2e", "\\", "\0", ":", "C:", "~", ".git/", ".daftar/", "daftar.toml",
    "sub/", "out-dir/", "sub-link/", "config.md", "git.md", "out.md", " ", "\n", "\u{200C}", "طرح/",
];

/// The root path vetting is tried on: notes, hidden places, the config file, and symlinks into
/// each and out of the root.
fn path_fixture(base: &Path) -> PathBuf {
    let base = std::fs::canonicalize(base).expect("canonical");
    let root = base.join("kb");
    let outside = base.join("outside");
    let write = |p: &Path| {
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, "x").expect("write");
    };
    for rel in ["a.md", "sub/b.md", "طرح/یادداشت.md", ".git/config", ".daftar/meta.json", ".env", "sub/.hidden/c.md"]
    {
        write(&root.join(rel));
    }
    write(&root.join("daftar.toml"));
    write(&outside.join("secret.md"));
    let link = |target: &Path, rel: &str| std::os::unix::fs::symlink(target, root.join(rel)).expect("symlink");
    link(&outside.join("secret.md"), "out.md");
    link(&outside, "out-dir");
    link(&root.join("sub/b.md"), "in.md");
    link(&root.join(".git/config"), "git.md");
    link(&root.join("daftar.toml"), "config.md");
    link(&root.join("sub"), "sub-link");
    root
}

fn check_path(root: &Path, id: &str) {
    let vetted = vet(id);
    if vetted.is_ok() {
        assert!(!id.is_empty() && !id.starts_with('/') && !id.contains(['\0', '\\']), "vet let {id:?} through");
        assert!(!id.split('/').any(|s| s == ".." || s.starts_with('.')), "vet let {id:?} through");
    }
    if let Ok(path) = resolve(root, id) {
        assert!(vetted.is_ok(), "resolve accepted {id:?} that vet refuses");
        let rel = path.strip_prefix(root).unwrap_or_else(|_| panic!("{id:?} resolved outside the root: {path:?}"));
        let hidden = rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
        assert!(!hidden, "{id:?} resolved to a hidden file: {path:?}");
        assert!(rel != Path::new("daftar.toml"), "{id:?} resolved to the config file");
        assert!(path.is_file(), "{id:?} resolved to a non-file: {path:?}");
    }
}

#[test]
fn path_vetting_never_escapes_the_root() {
    let base = tempfile::tempdir().expect("tempdir");
    let root = path_fixture(base.path());
    // Regressions found by fuzzing `path_vet`: the config file reached through a trailing slash
    // or a symlink named like a note.
    for id in ["daftar.toml/", "daftar.toml//", "config.md", "sub-link/../daftar.toml"] {
        assert!(resolve(&root, id).is_err(), "{id:?}");
    }
    assert!(resolve(&root, "sub-link/b.md").is_ok() && resolve(&root, "in.md").is_ok());
    let ran = explore("path_vet", 50_000, PATH_TOKENS, |input| check_path(&root, &String::from_utf8_lossy(input)));
    assert!(ran > 50_000);
}
