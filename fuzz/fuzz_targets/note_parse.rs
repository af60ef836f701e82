//! Arbitrary bytes as a note: parsing (front matter + Markdown + links) never panics and always
//! yields a title; rendering, the broken-link check, the tantivy document and the analysers
//! accept whatever parsing produced.

#![no_main]

use std::collections::HashSet;
use std::sync::OnceLock;

use daftar::check::{self, Targets};
use daftar::index::card::Changes;
use daftar::index::schema::{self, Fields};
use daftar::index::writer::{self, Stamp};
use daftar::note;
use libfuzzer_sys::fuzz_target;

/// Ids the note is parsed as: a plain one, one in Persian folders, one without an extension.
const IDS: &[&str] = &["fuzz/note.md", "طرح/پروژه/یادداشت.md", "README"];

struct Fixture {
    fields: Fields,
    /// An empty folder: links to files are checked against it (nothing there, nothing touched).
    root: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| Fixture { fields: schema::build().1, root: tempfile::tempdir().expect("tempdir") })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let id = IDS[data.len() % IDS.len()];
    let parsed = note::parse(id, data);
    assert!(!parsed.title.is_empty(), "empty title for {id}");
    assert_eq!(parsed.id, id);
    for p in &parsed.problems {
        assert!(p.line >= 1, "problem on line 0: {p:?}");
    }
    let html = note::render::render(&parsed, &|_| None);
    assert!(!html.contains("<script"), "unsanitised script in {html}");
    let names: HashSet<String> = note::links::names(id).into_iter().collect();
    let _ = check::broken_links(&parsed, &Targets::from_names(f.root.path(), names));
    let _ = writer::document(&f.fields, &parsed, Stamp::default(), &Changes::default());
    let _ = daftar::analysis::main_tokens(&parsed.text);
    let _ = daftar::analysis::extra_tokens(&parsed.title);
});
