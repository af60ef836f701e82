//! The floor under daftar's index build: bare tantivy indexing the same text with its default
//! tokenizer. DESIGN's service level says a full daftar build must stay within 2× of this.
//!
//! It extracts each note's text with daftar's own parser (`daftar::note::parse`, title + plain
//! body), so the floor indexes exactly the words daftar indexes, then times only the tantivy part:
//! one `TEXT` field (default tokenizer, positions) plus the id as `STRING | STORED`, the same
//! writer threads and memory budget as `src/index/writer.rs`, every document added from one
//! thread, one commit. Extraction (walk, read, parse) is timed apart and reported, not counted.
//!
//! Then the same floor as a pipeline, like for like with `daftar index --rebuild`: walk, read and
//! parse each note on one thread while tantivy's threads index the ones before it (as
//! `src/index/sync.rs` does), into a second index (`<index>-pipeline`): `pipeline_s`. The ratio
//! to it is daftar's analysis and schema alone; the ratio to `index_s` also counts daftar's
//! parsing, which the text-in-hand floor leaves out.
//!
//! `benches/run.sh` runs it as `cargo bench --bench floor -- --root DIR --index DIR`; it prints one
//! JSON object on stdout. (cargo appends `--bench`; it is ignored.)

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use tantivy::schema::{Schema, STORED, STRING, TEXT};
use tantivy::{Index, IndexWriter, TantivyDocument};

/// As `WRITER_BUDGET` in src/index/writer.rs.
const WRITER_BUDGET: usize = 256 * 1024 * 1024;

fn main() -> ExitCode {
    let mut root = None;
    let mut index_dir = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--root" => root = args.next().map(PathBuf::from),
            "--index" => index_dir = args.next().map(PathBuf::from),
            _ => {}
        }
    }
    let (Some(root), Some(index_dir)) = (root, index_dir) else {
        eprintln!("usage: floor --root DIR --index DIR");
        return ExitCode::from(2);
    };
    match run(&root, &index_dir) {
        Ok(json) => {
            #[allow(clippy::print_stdout)]
            {
                println!("{json}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("floor: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(root: &std::path::Path, index_dir: &std::path::Path) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let vault = daftar::vault::Vault::open(root)?;
    let mut docs = Vec::new();
    let mut bytes = 0usize;
    for entry in vault.scan() {
        let Ok(raw) = vault.read(&entry) else { continue };
        bytes += raw.len();
        docs.push(extracted(&entry.id, &raw));
    }
    let extract_s = started.elapsed().as_secs_f64();
    let text_bytes: usize = docs.iter().map(|(_, t)| t.len()).sum();

    let mut builder = Schema::builder();
    let id = builder.add_text_field("id", STRING | STORED);
    let text = builder.add_text_field("text", TEXT);
    let schema = builder.build();
    let doc = |note_id: String, body: String| {
        let mut doc = TantivyDocument::default();
        doc.add_text(id, note_id);
        doc.add_text(text, body);
        doc
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);

    let notes = docs.len();
    let index = empty_index(index_dir, &schema)?;
    let t = Instant::now();
    let mut writer = floor_writer(&index, threads)?;
    for (note_id, body) in docs {
        writer.add_document(doc(note_id, body))?;
    }
    writer.commit()?;
    let index_s = t.elapsed().as_secs_f64();
    writer.wait_merging_threads()?;
    let merged_s = t.elapsed().as_secs_f64();
    let size: u64 = std::fs::read_dir(index_dir)?.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum();

    let pipeline_dir = index_dir
        .with_file_name(format!("{}-pipeline", index_dir.file_name().map_or("floor".into(), |n| n.to_string_lossy())));
    let index = empty_index(&pipeline_dir, &schema)?;
    let t = Instant::now();
    let mut writer = floor_writer(&index, threads)?;
    let vault = daftar::vault::Vault::open(root)?;
    for entry in vault.scan() {
        let Ok(raw) = vault.read(&entry) else { continue };
        let (note_id, body) = extracted(&entry.id, &raw);
        writer.add_document(doc(note_id, body))?;
    }
    writer.commit()?;
    let pipeline_s = t.elapsed().as_secs_f64();
    writer.wait_merging_threads()?;
    std::fs::remove_dir_all(&pipeline_dir)?;
    Ok(serde_json::json!({
        "pipeline_s": pipeline_s,
        "notes": notes,
        "bytes": bytes,
        "text_bytes": text_bytes,
        "threads": threads,
        "extract_s": extract_s,
        "index_s": index_s,
        "merged_s": merged_s,
        "index_bytes": size,
    }))
}

/// The text daftar extracts from a note (title, then plain body), with the note's id.
fn extracted(id: &str, raw: &[u8]) -> (String, String) {
    let note = daftar::note::parse(id, raw);
    let mut text = note.title;
    text.push('\n');
    text.push_str(&note.text);
    (note.id, text)
}

/// A new, empty index with the floor's schema in `dir`.
fn empty_index(dir: &std::path::Path, schema: &Schema) -> tantivy::Result<Index> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    Index::create_in_dir(dir, schema.clone())
}

/// The index's writer, with daftar's writer threads and memory budget.
fn floor_writer(index: &Index, threads: usize) -> tantivy::Result<IndexWriter> {
    index.writer_with_num_threads(threads, WRITER_BUDGET.max(threads * 16 * 1024 * 1024))
}
