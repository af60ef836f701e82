//! Micro-benchmarks (criterion) of the stages a note goes through: parsing, the analysis chain
//! (against tantivy's default tokenizer), indexing a batch, and the main query shapes.
//!
//!     cargo bench --bench micro                # all, about three minutes on 2 cores
//!     cargo bench --bench micro -- analysis    # one group
//!
//! Input: the notes of `knowledge/` (English and Persian), or of `DAFTAR_BENCH_CORPUS` when set
//! (a folder written by `benches/gen_corpus.py`). Batches and indexes larger than the folder cycle
//! through its notes under new ids. Measurement times are short on purpose: these are for
//! comparing a change with the one before, on the same machine; the end-to-end figures come from
//! `benches/run.sh`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use daftar::index::search::{self, Filters, Request};
use daftar::index::writer::Stamp;
use daftar::index::Index;
use daftar::note::{self, Note};
use tantivy::tokenizer::{TokenStream, TokenizerManager};

/// (id, bytes) of every note in the input folder.
fn notes() -> Vec<(String, Vec<u8>)> {
    let root = std::env::var_os("DAFTAR_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("knowledge"));
    let vault = daftar::vault::Vault::open(&root).expect("the benchmark corpus folder exists");
    let mut out: Vec<(String, Vec<u8>)> = vault
        .scan()
        .into_iter()
        .filter(|e| e.id.ends_with(".md"))
        .filter_map(|e| vault.read(&e).ok().map(|b| (e.id, b)))
        .collect();
    out.truncate(5_000);
    assert!(!out.is_empty(), "no notes under {}", root.display());
    out
}

/// `n` parsed notes, cycling through the input under distinct ids.
fn parsed(input: &[(String, Vec<u8>)], n: usize) -> Vec<Note> {
    (0..n)
        .map(|i| {
            let (id, bytes) = &input[i % input.len()];
            let id = if i < input.len() { id.clone() } else { format!("copy-{}/{id}", i / input.len()) };
            note::parse(&id, bytes)
        })
        .collect()
}

fn is_persian(bytes: &[u8]) -> bool {
    String::from_utf8_lossy(bytes).chars().filter(|c| ('\u{0600}'..='\u{06FF}').contains(c)).count() > 200
}

fn bench_parse(c: &mut Criterion) {
    let input = notes();
    let english = input.iter().filter(|(_, b)| !is_persian(b)).max_by_key(|(_, b)| b.len()).unwrap_or(&input[0]);
    let persian = input.iter().filter(|(_, b)| is_persian(b)).max_by_key(|(_, b)| b.len()).unwrap_or(&input[0]);
    let mut g = c.benchmark_group("parse");
    for (name, (id, bytes)) in [("english_note", english), ("persian_note", persian)] {
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(name, |b| b.iter(|| note::parse(black_box(id), black_box(bytes))));
    }
    g.finish();
}

/// About 100 KB of the input's plain text, English and Persian mixed as the notes mix them.
fn mixed_text(input: &[(String, Vec<u8>)]) -> String {
    let mut text = String::new();
    for n in parsed(input, input.len()).iter().cycle() {
        if text.len() >= 100_000 {
            break;
        }
        text.push_str(&n.text);
        text.push('\n');
    }
    text
}

fn bench_analysis(c: &mut Criterion) {
    let text = mixed_text(&notes());
    let mut g = c.benchmark_group("analysis");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("daftar_main_tokens", |b| b.iter(|| daftar::analysis::main_tokens(black_box(&text)).len()));
    g.bench_function("daftar_expanded_tokens", |b| {
        b.iter(|| daftar::analysis::expanded_tokens(black_box(&text)).len())
    });
    let mut default = TokenizerManager::default().get("default").expect("tantivy has a default tokenizer");
    g.bench_function("tantivy_default_tokenizer", |b| {
        b.iter(|| {
            let mut stream = default.token_stream(black_box(&text));
            let mut n = 0usize;
            while stream.advance() {
                n += stream.token().text.len();
            }
            n
        })
    });
    g.finish();
}

fn bench_index_batch(c: &mut Criterion) {
    let batch = parsed(&notes(), 1_000);
    let bytes: usize = batch.iter().map(|n| n.markdown.len()).sum();
    let mut g = c.benchmark_group("index");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.bench_function("batch_1000_notes", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let index = Index::open(&dir.path().join("idx"), true).expect("a new index");
                // The writer takes each note: a copy per iteration, made outside the timing.
                (dir, index, batch.clone())
            },
            |(dir, index, notes)| {
                let mut writer = index.writer().expect("the writer");
                for n in notes {
                    let size = n.markdown.len() as u64;
                    writer.upsert(n, Stamp { mtime: 1, size, hash: 1 }).expect("upsert");
                }
                writer.commit().expect("commit");
                drop(writer);
                (dir, index)
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
    eprintln!("(index batch: {} notes, {:.1} MB of Markdown)", batch.len(), bytes as f64 / 1e6);
}

fn bench_search(c: &mut Criterion) {
    let all = parsed(&notes(), 5_000);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let index = Index::open(&dir.path().join("idx"), true).expect("a new index");
    {
        let mut writer = index.writer().expect("the writer");
        for n in &all {
            writer.upsert(n.clone(), Stamp { mtime: 1, size: n.markdown.len() as u64, hash: 1 }).expect("upsert");
        }
        writer.commit().expect("commit");
    }
    let program = all.iter().find_map(|n| n.program.clone()).unwrap_or_default();
    let shapes: Vec<(&str, Request)> = vec![
        ("one_word", Request { q: "vendor".into(), ..Default::default() }),
        ("three_words", Request { q: "vendor contract schedule".into(), ..Default::default() }),
        ("phrase", Request { q: "\"steering committee\"".into(), ..Default::default() }),
        ("prefix", Request { q: "procur".into(), prefix: true, ..Default::default() }),
        ("typo", Request { q: "procurment".into(), ..Default::default() }),
        ("persian", Request { q: "درس‌آموخته پیمانکار".into(), ..Default::default() }),
        (
            "filtered",
            Request {
                q: "risk".into(),
                filters: Filters { program: vec![program], ..Default::default() },
                ..Default::default()
            },
        ),
        ("no_facets", Request { q: "vendor contract".into(), facets: false, ..Default::default() }),
    ];
    let mut g = c.benchmark_group("search_5000_notes");
    for (name, req) in &shapes {
        g.bench_function(*name, |b| b.iter(|| search::search(&index, black_box(req)).map(|r| r.total).unwrap_or(0)));
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .sample_size(30)
}

criterion_group! { name = benches; config = config(); targets = bench_parse, bench_analysis, bench_index_batch, bench_search }
criterion_main!(benches);
