//! Reconciling the index with the folder: add new notes, re-index changed ones (mtime+size fast
//! path, content hash to confirm), remove vanished ones, all in one commit. A second run on an
//! unchanged root reads no note and parses nothing. A note whose git history changed (a new commit,
//! even one that left the file as it was on disk) is indexed again: its card shows the history.

use std::collections::HashMap;
use std::time::Instant;

use serde::Serialize;

use tantivy::query::{BooleanQuery, Occur, Query};

use super::writer::{hash, Stamp, Touched, Writer};
use super::Index;
use crate::error::Result;
use crate::git::history::History;
use crate::note::{self, Note, Problem};
use crate::vault::{Entry, Vault};

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Summary {
    pub added: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    /// Notes in the index that have problems after the sync.
    pub problems: usize,
    pub seconds: f64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} added, {} updated, {} removed, {} unchanged, {} with problems in {:.2}s",
            self.added, self.updated, self.removed, self.unchanged, self.problems, self.seconds
        )
    }
}

/// What the index holds of a note, to compare with the folder and the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Indexed {
    pub stamp: Stamp,
    /// The digest of its commits when it was indexed ([`crate::index::card::Changes::digest`]).
    pub history: u64,
}

/// The stamps of the notes `ids` only, one term look-up each: what a watcher batch of a few files
/// needs, where [`indexed`] would read every id of the index (100,000 at 100k notes) per save.
pub fn indexed_of<'a>(index: &Index, ids: impl IntoIterator<Item = &'a str>) -> Result<HashMap<String, Indexed>> {
    use tantivy::{DocSet, TERMINATED};
    let searcher = index.searcher();
    let field = index.fields().id;
    let mut out = HashMap::new();
    for id in ids {
        let term = tantivy::Term::from_field_text(field, id);
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(field)?;
            let Some(info) = inverted.get_term_info(&term)? else { continue };
            let mut postings =
                inverted.read_postings_from_terminfo(&info, tantivy::schema::IndexRecordOption::Basic)?;
            while postings.doc() != TERMINATED {
                let doc = postings.doc();
                if !segment.is_deleted(doc) {
                    let ff = segment.fast_fields();
                    let stamp = Stamp {
                        mtime: ff.i64("mtime")?.first(doc).unwrap_or(0),
                        size: ff.u64("size")?.first(doc).unwrap_or(0),
                        hash: ff.u64("hash")?.first(doc).unwrap_or(0),
                    };
                    let history = ff.u64("history")?.first(doc).unwrap_or(0);
                    out.insert(id.to_string(), Indexed { stamp, history });
                }
                postings.advance();
            }
        }
    }
    Ok(out)
}

/// The stamps of every indexed note, read from fast fields (no stored document is loaded).
pub fn indexed(index: &Index) -> Result<HashMap<String, Indexed>> {
    let searcher = index.searcher();
    let mut out = HashMap::new();
    for segment in searcher.segment_readers() {
        let ff = segment.fast_fields();
        let Some(ids) = ff.str("id")? else { continue };
        let mtime = ff.i64("mtime")?;
        let size = ff.u64("size")?;
        let hashes = ff.u64("hash")?;
        let histories = ff.u64("history")?;
        let mut id = String::new();
        for doc in segment.doc_ids_alive() {
            let Some(ord) = ids.term_ords(doc).next() else {
                continue;
            };
            id.clear();
            if !ids.ord_to_str(ord, &mut id)? {
                continue;
            }
            let stamp = Stamp {
                mtime: mtime.first(doc).unwrap_or(0),
                size: size.first(doc).unwrap_or(0),
                hash: hashes.first(doc).unwrap_or(0),
            };
            out.insert(id.clone(), Indexed { stamp, history: histories.first(doc).unwrap_or(0) });
        }
    }
    Ok(out)
}

/// How close to "now" a file's mtime must be for a save in the same clock tick of its file system
/// to go unseen (coarse file systems tick once a second or two).
pub const RACY_WINDOW: std::time::Duration = std::time::Duration::from_secs(3);
/// The mtime stamped on a racily clean file: it never equals a real one.
const RACY_MTIME: i64 = i64::MIN;

/// Whether a file with this mtime (ns) is "racily clean", as git calls it: a second save within the
/// same tick, after we read it, would leave mtime and size as they were. Its stamp then carries no
/// mtime, so the next sync compares its content instead of trusting mtime and size.
fn racy(mtime: i64, now: std::time::SystemTime) -> bool {
    let now = now.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i64);
    now.saturating_sub(mtime) < RACY_WINDOW.as_nanos() as i64
}

/// Parses an entry: its note and stamp. A file that cannot be read still becomes a note (by name)
/// with the reason as its problem.
pub fn load(vault: &Vault, entry: &Entry) -> (Note, Stamp) {
    let mtime = if racy(entry.mtime, std::time::SystemTime::now()) { RACY_MTIME } else { entry.mtime };
    let stamp = Stamp { mtime, size: entry.size, hash: 0 };
    if let Some(reason) = &entry.skip {
        return (placeholder(&entry.id, reason), stamp);
    }
    match vault.read(entry) {
        Ok(bytes) => {
            let parsed = match entry.kind {
                crate::vault::FileKind::Note => note::parse(&entry.id, &bytes),
                crate::vault::FileKind::Attachment(format) => note::parse_attachment(&entry.id, format, &bytes),
            };
            (parsed, Stamp { hash: hash(&bytes), ..stamp })
        }
        Err(e) => (placeholder(&entry.id, &format!("cannot read the file: {e}")), stamp),
    }
}

/// A note known only by its path, carrying why it could not be read.
pub fn placeholder(id: &str, reason: &str) -> Note {
    let mut n = note::parse(id, b"");
    if let Some(crate::vault::FileKind::Attachment(_)) = crate::vault::file_kind(id) {
        n.kind = note::ATTACHMENT_KIND.to_string();
        n.title = id.rsplit('/').next().unwrap_or(id).to_string();
    }
    n.problems.push(Problem { line: 1, message: reason.to_string() });
    n
}

/// What changed between the index and the folder, per note id.
#[derive(Debug, Default)]
pub struct Plan {
    pub upserts: Vec<(Entry, bool)>,
    pub removals: Vec<String>,
    pub unchanged: usize,
}

/// Parses an entry and indexes it with its history.
pub fn upsert(vault: &Vault, writer: &mut Writer, entry: &Entry, history: &History) -> Result<()> {
    let (note, stamp) = load(vault, entry);
    writer.upsert_with(note, stamp, &history.changes(&entry.id, entry.mtime))
}

/// Compares the folder with the index. An entry whose mtime and size match is unchanged without
/// being read; otherwise it is read and its hash decides (a touched but identical file is unchanged).
/// A different history digest makes an entry changed whatever its file says.
pub fn plan(vault: &Vault, entries: Vec<Entry>, indexed: &HashMap<String, Indexed>, history: &History) -> Plan {
    let mut plan = Plan::default();
    let mut seen = std::collections::HashSet::with_capacity(entries.len());
    for entry in entries {
        seen.insert(entry.id.clone());
        match change(vault, &entry, indexed, history) {
            Some(new) => plan.upserts.push((entry, new)),
            None => plan.unchanged += 1,
        }
    }
    plan.removals = indexed.keys().filter(|id| !seen.contains(*id)).cloned().collect();
    plan.removals.sort();
    plan
}

/// Whether one entry must be (re)indexed: `Some(true)` when new, `Some(false)` when changed,
/// `None` when unchanged. Costs one lookup (and a read only when mtime or size differ).
pub fn change(vault: &Vault, entry: &Entry, indexed: &HashMap<String, Indexed>, history: &History) -> Option<bool> {
    match indexed.get(&entry.id) {
        None => Some(true),
        Some(i) if i.history != history.digest_of(&entry.id) => Some(false),
        Some(Indexed { stamp: s, .. }) if s.mtime == entry.mtime && s.size == entry.size => None,
        Some(Indexed { stamp: s, .. }) => {
            let same =
                entry.skip.is_none() && s.size == entry.size && vault.read(entry).is_ok_and(|b| hash(&b) == s.hash);
            (!same).then_some(false)
        }
    }
}

/// Brings the index in line with the folder in one commit, with the root's git history (when it
/// has one); `progress` is told of each note parsed.
pub fn sync(vault: &Vault, index: &Index, writer: &mut Writer, progress: &dyn Fn(usize, usize)) -> Result<Summary> {
    let started = Instant::now();
    let repo = crate::git::Repo::discover(vault.root());
    // `git log` runs while the folder is walked: each takes about 80 ms at 10,000 notes, on one
    // core, before any note can be parsed.
    let (history, entries) = std::thread::scope(|s| {
        let history = s.spawn(|| History::load(repo.as_ref()));
        let entries = vault.scan();
        (history.join().unwrap_or_else(|_| History::empty()), entries)
    });
    sync_entries(vault, index, writer, &history, entries, started, progress)
}

/// [`sync`] with a history already read.
pub fn sync_with(
    vault: &Vault,
    index: &Index,
    writer: &mut Writer,
    history: &History,
    progress: &dyn Fn(usize, usize),
) -> Result<Summary> {
    sync_entries(vault, index, writer, history, vault.scan(), Instant::now(), progress)
}

/// [`sync`] of the folder's `entries`, timed from `started`.
fn sync_entries(
    vault: &Vault,
    index: &Index,
    writer: &mut Writer,
    history: &History,
    entries: Vec<Entry>,
    started: Instant,
    progress: &dyn Fn(usize, usize),
) -> Result<Summary> {
    let indexed = indexed(index)?;
    let plan = plan(vault, entries, &indexed, history);
    let mut summary = Summary { unchanged: plan.unchanged, removed: plan.removals.len(), ..Default::default() };
    let total = plan.upserts.len();
    for (i, (entry, new)) in plan.upserts.iter().enumerate() {
        upsert(vault, writer, entry, history)?;
        if *new {
            summary.added += 1;
        } else {
            summary.updated += 1;
        }
        progress(i + 1, total);
    }
    for id in &plan.removals {
        writer.delete(id);
    }
    if writer.pending() > 0 {
        let batch = writer.pending();
        writer.commit()?;
        writer.merge_leftovers(batch)?;
        place_attachments(vault, index, writer, history)?;
    }
    summary.problems = count_with_problems(index)?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// A portfolio, program and project.
type Place = (Option<String>, Option<String>, Option<String>);

/// Attachments (PDF, DOCX) have no front matter: they belong where the notes linking to them
/// belong (the place most of them share), else where their folders put them. Run after a commit:
/// re-indexes the attachments whose place changed, then commits again. Costs a query per
/// attachment the commits since the last call touched ([`Touched`]): those written, and those the
/// written or removed notes link to or linked to. Each save used to re-place every attachment,
/// 35 µs apiece (35 ms a save with 1,000 attachments).
pub fn place_attachments(vault: &Vault, index: &Index, writer: &mut Writer, history: &History) -> Result<usize> {
    use super::browse::{any_term, term, within};
    let f = index.fields();
    let attachments = term(f.kind_k, note::ATTACHMENT_KIND);
    let candidates = match writer.take_touched() {
        Touched::Everything => attachments,
        Touched::Some { attachments: written, names } => {
            if written.is_empty() && names.is_empty() {
                return Ok(0);
            }
            let touched: Vec<(Occur, Box<dyn Query>)> = vec![
                (Occur::Should, Box::new(any_term(f.id, written.iter().map(String::as_str)))),
                (Occur::Should, Box::new(any_term(f.names, names.iter().map(String::as_str)))),
            ];
            within(Box::new(BooleanQuery::new(touched)), attachments.as_ref())
        }
    };
    let mut moved = 0;
    for card in super::browse::cards(index, candidates.as_ref(), index.searcher().num_docs() as usize)? {
        let want = match linked_place(index, &card.id)? {
            Some(place) => place,
            None => {
                let (program, project) = note::folder_place(&card.id);
                (None, program, project)
            }
        };
        if (card.portfolio.clone(), card.program.clone(), card.project.clone()) == want {
            continue;
        }
        let Some(entry) = vault.resolve(&card.id).ok().and_then(|path| vault.entry(&path)) else {
            continue;
        };
        let (mut parsed, stamp) = load(vault, &entry);
        (parsed.portfolio, parsed.program, parsed.project) = want;
        writer.upsert_with(parsed, stamp, &history.changes(&entry.id, entry.mtime))?;
        moved += 1;
    }
    if moved > 0 {
        writer.commit()?;
        // What that commit touched is the attachments just placed.
        writer.take_touched();
    }
    Ok(moved)
}

/// The place most notes linking to `id` share (ties: the first in order), if any names a program.
fn linked_place(index: &Index, id: &str) -> Result<Option<Place>> {
    let mut counts: std::collections::BTreeMap<Place, usize> = std::collections::BTreeMap::new();
    for c in super::browse::linking(index, id, &tantivy::query::AllQuery, 1000)? {
        if c.kind != note::ATTACHMENT_KIND && c.program.is_some() {
            *counts.entry((c.portfolio, c.program, c.project)).or_default() += 1;
        }
    }
    let mut best: Option<(Place, usize)> = None;
    for (place, n) in counts {
        if best.as_ref().is_none_or(|b| n > b.1) {
            best = Some((place, n));
        }
    }
    Ok(best.map(|b| b.0))
}

/// Notes in the index that carry at least one problem.
pub fn count_with_problems(index: &Index) -> Result<usize> {
    let searcher = index.searcher();
    let field = index.fields().problems;
    let query = tantivy::query::RangeQuery::new(
        std::ops::Bound::Included(tantivy::Term::from_field_u64(field, 1)),
        std::ops::Bound::Unbounded,
    );
    Ok(searcher.search(&query, &tantivy::collector::Count)?)
}
