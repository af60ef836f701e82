//! Arbitrary text as a search query: parsing either gives clauses or a client error, and the
//! whole search (compile, count, rank, facets, snippets) runs on a small index built once.

#![no_main]

use std::sync::OnceLock;

use daftar::error::Error;
use daftar::index::search::{self, Request, Sort};
use daftar::index::{query, writer::Stamp, Index};
use libfuzzer_sys::fuzz_target;

const NOTES: &[(&str, &str)] = &[
    (
        "erp/lessons/vendor-onboarding.md",
        "---\ntitle: Vendor onboarding\ntags: [vendor, erp]\nexperts: [Sara Ahmadi]\nstatus: done\n\
         date: 2025-03-01\n---\n# Vendor onboarding\n\nThe vendor onboarding delay cost two weeks. e-mail the PMO.\n",
    ),
    (
        "طرح/درس‌آموخته-آموزش-کاربران.md",
        "---\ntitle: درس‌آموخته آموزش کاربران\nkind: lesson\nprogram: ERP\nkey: true\n---\n\
         # آموزش کاربران\n\nبرنامه‌ریزی آموزش کاربران پیش از استقرار، ریسک مدیریت دانش را کم کرد.\n",
    ),
    (
        "infra/risk-register.md",
        "+++\ntitle = \"Risk register\"\nkind = \"risk\"\n[meta]\nbudget_code = \"FIN-204\"\n+++\n\n\
         | risk | owner |\n|---|---|\n| cutover slip | PMO |\n\n[[vendor-onboarding]] and [runbook](../erp/runbook.md)\n",
    ),
];

fn index() -> &'static Index {
    static INDEX: OnceLock<(tempfile::TempDir, Index)> = OnceLock::new();
    &INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("tempdir");
            let index = Index::open(dir.path(), true).expect("open");
            let mut w = index.writer().expect("writer");
            for (id, text) in NOTES {
                w.upsert(&daftar::note::parse(id, text.as_bytes()), Stamp::default()).expect("upsert");
            }
            w.commit().expect("commit");
            (dir, index)
        })
        .1
}

fuzz_target!(|data: &[u8]| {
    let Ok(q) = std::str::from_utf8(data) else { return };
    let parsed = query::parse(q);
    if let Err(e) = &parsed {
        assert!(matches!(e, Error::Invalid { .. }), "not a client error: {e:?}");
    }
    let _ = daftar::analysis::main_tokens(q);
    let _ = daftar::analysis::expanded_tokens(q);
    // The flags come from the query's length so one input explores one combination.
    let n = q.len();
    let req = Request {
        q: q.to_string(),
        prefix: n.is_multiple_of(2),
        match_all: n.is_multiple_of(3),
        sort: if n.is_multiple_of(5) { Sort::Date } else { Sort::Relevance },
        recency: n.is_multiple_of(7),
        ..Request::default()
    };
    match search::search(index(), &req) {
        Ok(_) => assert!(parsed.is_ok(), "a query that does not parse was searched: {q:?}"),
        Err(e) => assert!(matches!(e, Error::Invalid { .. }), "search failed on {q:?}: {e:?}"),
    }
});
