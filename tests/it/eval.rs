//! The search evaluation we keep: every case in `tests/eval/*.tsv` (query → the note that must be
//! in the top 3, over the bundled `knowledge/`) run through daftar's search, and through bare
//! tantivy with its default tokenizer for comparison. Prints recall@3 and MRR for both and fails
//! when daftar misses any case.

use std::collections::BTreeMap;

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Schema, Value, STORED, STRING, TEXT};
use tantivy::{doc, Index, TantivyDocument};

use super::harness::Root;
use daftar::index::search::{self, Request};

struct Case {
    query: String,
    expected: String,
    what: String,
    prefix: bool,
}

fn cases() -> Vec<Case> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/eval");
    let mut out = Vec::new();
    for file in ["cases.tsv", "generated.tsv"] {
        let text = std::fs::read_to_string(dir.join(file)).expect("read cases");
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(cols.len() >= 3, "{file}: malformed line {line:?}");
            out.push(Case {
                query: cols[0].to_string(),
                expected: cols[1].to_string(),
                what: cols[2].to_string(),
                prefix: cols.get(3).is_some_and(|f| f.contains("prefix")),
            });
        }
    }
    out
}

/// 1-based rank of the expected note in `ids`, if there.
fn rank(ids: &[String], expected: &str) -> Option<usize> {
    ids.iter().position(|i| i == expected).map(|p| p + 1)
}

struct Score {
    found: usize,
    reciprocal: f64,
    misses: Vec<String>,
}

fn score(cases: &[Case], mut run: impl FnMut(&Case) -> Vec<String>) -> Score {
    let mut s = Score { found: 0, reciprocal: 0.0, misses: Vec::new() };
    for c in cases {
        let ids = run(c);
        match rank(&ids, &c.expected) {
            Some(r) => {
                s.reciprocal += 1.0 / r as f64;
                if r <= 3 {
                    s.found += 1;
                } else {
                    s.misses.push(format!("[{}] {:?} → rank {r}", c.what, c.query));
                }
            }
            None => {
                s.misses.push(format!("[{}] {:?} → not in top 10: {:?}", c.what, c.query, &ids[..ids.len().min(3)]))
            }
        }
    }
    s
}

/// Bare tantivy: title and body with the default tokenizer, the default query parser.
fn baseline(root: &std::path::Path) -> impl FnMut(&Case) -> Vec<String> {
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    let title = b.add_text_field("title", TEXT);
    let body = b.add_text_field("body", TEXT);
    let index = Index::create_in_ram(b.build());
    let mut writer = index.writer(50_000_000).expect("writer");
    let vault = daftar::vault::Vault::open(root).expect("vault");
    for entry in vault.scan() {
        let note = daftar::note::parse(&entry.id, &std::fs::read(&entry.path).expect("read"));
        writer
            .add_document(doc!(id => note.id.clone(), title => note.title.clone(), body => note.text.clone()))
            .expect("add");
    }
    writer.commit().expect("commit");
    let reader = index.reader().expect("reader");
    let parser = QueryParser::for_index(&index, vec![title, body]);
    move |c: &Case| {
        let searcher = reader.searcher();
        let (query, _) = parser.parse_query_lenient(&c.query);
        let top = searcher.search(&query, &TopDocs::with_limit(10).order_by_score()).expect("search");
        top.into_iter()
            .filter_map(|(_, addr)| {
                let d: TantivyDocument = searcher.doc(addr).ok()?;
                d.get_first(id).and_then(|v| v.as_str()).map(str::to_string)
            })
            .collect()
    }
}

#[test]
fn search_quality_evaluation() {
    let root = Root::knowledge();
    let cases = cases();
    assert!(cases.len() >= 60, "keep at least 60 cases");
    let index = root.indexed();

    let ours = score(&cases, |c| {
        let req = Request { q: c.query.clone(), prefix: c.prefix, limit: 10, facets: false, ..Default::default() };
        search::search(&index, &req).expect("search").hits.into_iter().map(|h| h.card.id).collect()
    });
    let plain = score(&cases, baseline(&root.path));

    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for c in &cases {
        by_kind.entry(c.what.split('-').next().unwrap_or("")).or_default().0 += 1;
    }
    let n = cases.len() as f64;
    eprintln!("search evaluation over {} cases ({} Persian):", cases.len(), by_kind.get("fa").map_or(0, |k| k.0));
    eprintln!("  daftar          recall@3 {:5.1}%  MRR {:.3}", 100.0 * ours.found as f64 / n, ours.reciprocal / n);
    eprintln!(
        "  tantivy default recall@3 {:5.1}%  MRR {:.3}  ({} cases missed)",
        100.0 * plain.found as f64 / n,
        plain.reciprocal / n,
        plain.misses.len()
    );
    for m in &ours.misses {
        eprintln!("  MISS {m}");
    }
    assert!(
        ours.misses.is_empty(),
        "daftar misses {} of {} cases:\n{}",
        ours.misses.len(),
        cases.len(),
        ours.misses.join("\n")
    );
    assert!(plain.misses.len() > ours.misses.len(), "the baseline should be worse, or the cases test nothing");
}

/// `برنامه‌ریزی` = `برنامه ریزی` = `برنامهریزی` and `می‌شود` = `میشود` = `می شود`, each form finding
/// the others, while a note about `برنامه` itself outranks notes where it is only part of a word.
#[test]
fn half_space_forms_find_each_other_and_whole_words_rank_first() {
    let root = Root::empty();
    root.write("zwnj.md", "# یادداشت یک\n\nبرنامه‌ریزی دقیق منابع انجام می‌شود\n");
    root.write("space.md", "# یادداشت دو\n\nبرنامه ریزی دقیق منابع انجام می شود\n");
    root.write("joined.md", "# یادداشت سه\n\nبرنامهریزی دقیق منابع انجام میشود\n");
    root.write("whole.md", "# یادداشت چهار\n\nاین برنامه برای واحد مالی است و برنامه تغییر نکرد\n");
    let index = root.indexed();
    let top = |q: &str, n: usize| -> Vec<String> {
        let req = Request { q: q.to_string(), limit: 10, facets: false, ..Default::default() };
        let mut ids: Vec<String> =
            search::search(&index, &req).expect("search").hits.into_iter().map(|h| h.card.id).collect();
        ids.truncate(n);
        ids.sort();
        ids
    };
    let three = ["joined.md", "space.md", "zwnj.md"];
    for q in ["برنامه‌ریزی", "برنامه ریزی", "برنامهریزی", "\"برنامه ریزی\"", "می‌شود", "میشود", "می شود"]
    {
        assert_eq!(top(q, 3), three, "{q}");
    }
    let req = Request { q: "برنامه".into(), limit: 10, facets: false, ..Default::default() };
    let ids: Vec<String> = search::search(&index, &req).expect("search").hits.into_iter().map(|h| h.card.id).collect();
    assert_eq!(ids[0], "whole.md", "{ids:?}");
    let pos = |id: &str| ids.iter().position(|i| i == id);
    assert!(pos("zwnj.md").is_some(), "a part match still finds the note: {ids:?}");
    assert!(pos("whole.md") < pos("zwnj.md"));
}

#[test]
fn snippets_mark_the_original_text_whatever_form_was_typed() {
    let root = Root::empty();
    root.write("a.md", "# الف\n\nمُدیریَّت ريسك پـــروژه‌ها در سال ۱۴۰۳ انجام شد\n");
    let index = root.indexed();
    for (q, marked) in [("مدیریت", "مُدیریَّت"), ("ریسک", "ريسك"), ("پروژه", "پـــروژه"), ("1403", "۱۴۰۳")]
    {
        let req = Request { q: q.into(), facets: false, ..Default::default() };
        let res = search::search(&index, &req).expect("search");
        let snippet = &res.hits.first().unwrap_or_else(|| panic!("{q} found nothing")).snippet;
        assert!(snippet.contains(&format!("<mark>{marked}</mark>")), "{q}: {snippet}");
    }
}

#[test]
fn typos_prefixes_and_recency() {
    let root = Root::empty();
    root.write("old.md", "---\ntitle: Old\ndate: 2015-01-01\n---\nprocurement onboarding checklist\n");
    root.write("new.md", "---\ntitle: New\ndate: 2026-11-01\n---\nprocurement onboarding checklist\n");
    root.write("fa.md", "---\ntitle: الف\ndate: 2020-01-01\n---\nذی‌نفعان کلیدی طرح و تأمین‌کنندگان\n");
    let index = root.indexed();
    let ids = |q: &str, prefix: bool, recency: bool| -> Vec<String> {
        let req = Request { q: q.into(), prefix, recency, facets: false, ..Default::default() };
        search::search(&index, &req).expect("search").hits.into_iter().map(|h| h.card.id).collect()
    };
    // One edit from 5 letters, two from 9; exact matches rank above typo matches.
    assert_eq!(ids("procuremnt", false, false).len(), 2);
    assert_eq!(ids("onbaordnig", false, false).len(), 2);
    assert!(ids("chek", false, false).is_empty(), "no typo tolerance under 5 letters");
    assert_eq!(ids("ذینفعن", false, false), ["fa.md"], "Persian letters count as characters");
    // The last word as a prefix, in both languages.
    assert_eq!(ids("checkl", true, false).len(), 2);
    assert!(ids("checkl", false, false).is_empty());
    assert_eq!(ids("تأمین‌کن", true, false), ["fa.md"]);
    assert_eq!(ids("ذی‌نف", true, false), ["fa.md"]);
    // Recency favours the newer of two equal notes.
    assert_eq!(ids("procurement onboarding", false, true)[0], "new.md");
}

#[test]
fn one_value_spelled_three_ways_is_one_facet_and_one_filter() {
    let root = super::harness::Root::empty();
    for (i, program) in ["برنامه‌ریزی منابع", "برنامه ریزی منابع", "برنامه‌ريزي منابع"].iter().enumerate()
    {
        root.write(&format!("n{i}.md"), format!("---\ntitle: n{i}\nprogram: {program}\n---\nzzfacetword\n"));
    }
    root.write("other.md", "---\ntitle: other\nprogram: Other\n---\nzzfacetword\n");
    let index = root.indexed();
    let res = search::search(&index, &Request { q: "zzfacetword".into(), ..Default::default() }).expect("search");
    let programs: Vec<(String, u64)> = res.facets["program"].iter().map(|v| (v.value.clone(), v.count)).collect();
    assert_eq!(programs, [("برنامه‌ریزی منابع".to_string(), 3), ("Other".to_string(), 1)], "{programs:?}");
    let filters = search::Filters { program: vec![programs[0].0.clone()], ..Default::default() };
    let req = Request { q: "zzfacetword".into(), filters, ..Default::default() };
    assert_eq!(search::search(&index, &req).expect("search").total, 3);
}

#[test]
fn matched_is_known_without_counting_for_one_word_or_every_word() {
    let root = super::harness::Root::knowledge();
    let index = root.indexed();
    let matched = |q: &str, match_all: bool| -> Vec<usize> {
        let req = Request { q: q.into(), match_all, limit: 50, facets: false, ..Default::default() };
        search::search(&index, &req).expect("search").hits.into_iter().map(|h| h.matched).collect()
    };
    for (q, all, want) in
        [("vendor", false, 1), ("the", false, 1), ("vendor contract", true, 2), ("the vendor", true, 1)]
    {
        let got = matched(q, all);
        assert!(!got.is_empty() && got.iter().all(|&m| m == want), "{q} (all: {all}): {got:?}");
    }
    // Any word: some hits have both, some one; those with both come first.
    let got = matched("vendor cutover", false);
    assert!(got.contains(&2) && got.contains(&1) && got.windows(2).all(|w| w[0] >= w[1]), "{got:?}");
}
