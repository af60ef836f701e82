//! The single owner of tantivy's `IndexWriter`. A change is a delete of the note's id term plus an
//! add; a batch of changes ends in one commit, after which the reader is reloaded at once. A note is
//! indexed with what its git history says ([`Changes`]): last change, contributors.

use std::collections::BTreeSet;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::document::{Document, ReferenceValue, ReferenceValueLeaf};
use tantivy::schema::Field;
use tantivy::schema::{Facet, IndexRecordOption};
use tantivy::{DateTime, IndexWriter, TantivyDocument, Term};

use super::card::{Card, Changes};
use super::{Fields, Index};
use crate::analysis::fold_key;
use crate::error::{Error, Result};
use crate::note::links::LinkKey;
use crate::note::Note;

/// The file facts a sync compares to decide whether a note changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stamp {
    pub mtime: i64,
    pub size: u64,
    pub hash: u64,
}

/// Content hash of a note's bytes.
pub fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

/// Memory for tantivy's indexing arenas, shared by its threads (taken only as a batch needs it).
/// Each thread writes a segment when its share is full: with 96 MB a full build of 100,000 notes
/// wrote seventeen segments of about 6,000, eight of which tantivy merged, and the rest were merged
/// by the server after its first commit (reading them all: a 500 MB peak). With 256 MB it writes
/// five of about 20,000, in about the same time and peak memory (BENCHMARKS.md).
const WRITER_BUDGET: usize = 256 * 1024 * 1024;

/// Segments with more notes than this are not merged with others again (tantivy's log merge
/// policy then only merges the small segments that saves and pulls write): merging a large segment
/// reads all of it through the memory map, which the serving memory peak would show.
const MAX_MERGED_DOCS: usize = 10_000;

/// Share of a large segment's documents deleted (notes changed or removed since it was written)
/// past which it is rewritten alone, without them.
const REWRITE_DELETED_RATIO: f32 = 0.3;

/// tantivy's log merge policy for the small segments, and a large segment rewritten on its own
/// once [`REWRITE_DELETED_RATIO`] of its documents are deleted (a small one is then merged with
/// its level, or rewritten alone). Without that, a note changed after
/// the build left its old version in a large segment until the next rebuild: searched, filtered
/// out, counted in every term's document frequency and kept on disk. The rewrite reads the segment
/// once, a rare cost (6,000 changes to one segment of 20,000).
#[derive(Debug)]
struct MergePolicy {
    small: tantivy::indexer::LogMergePolicy,
}

impl MergePolicy {
    fn new() -> MergePolicy {
        let mut small = tantivy::indexer::LogMergePolicy::default();
        small.set_max_docs_before_merge(MAX_MERGED_DOCS);
        // A level holding a segment with as many deleted is merged even when it is alone in it.
        small.set_del_docs_ratio_before_merge(REWRITE_DELETED_RATIO);
        MergePolicy { small }
    }
}

impl tantivy::indexer::MergePolicy for MergePolicy {
    fn compute_merge_candidates(
        &self,
        segments: &[tantivy::index::SegmentMeta],
    ) -> Vec<tantivy::indexer::MergeCandidate> {
        // Large by what it holds on disk, deleted documents included: however many of them are
        // deleted, a large segment is rewritten alone, never merged with the small ones.
        let (large, small): (Vec<_>, Vec<_>) =
            segments.iter().cloned().partition(|s| s.max_doc() as usize > MAX_MERGED_DOCS);
        let mut candidates = self.small.compute_merge_candidates(&small);
        candidates.extend(
            large
                .iter()
                .filter(|s| s.num_deleted_docs() as f32 > REWRITE_DELETED_RATIO * s.max_doc() as f32)
                .map(|s| tantivy::indexer::MergeCandidate(vec![s.id()])),
        );
        candidates
    }
}

/// The small segments (`large` notes or fewer) to merge into one, when there are two or more and
/// the index also has large ones.
fn leftovers(segments: &[tantivy::index::SegmentMeta], large: usize) -> Option<Vec<tantivy::index::SegmentId>> {
    let (big, small): (Vec<_>, Vec<_>) = segments.iter().partition(|s| s.max_doc() as usize > large);
    (!big.is_empty() && small.len() >= 2).then(|| small.iter().map(|s| s.id()).collect())
}

/// The process's one index writer.
pub struct Writer {
    index: Index,
    writer: IndexWriter<NoteDocument>,
    pending: usize,
    /// What the uncommitted changes touched, and what the commits since the attachments were last
    /// placed touched ([`Writer::take_touched`]).
    touching: Touching,
    committed: Touched,
    in_flight: Arc<InFlight>,
}

/// Notes handed to tantivy that its threads have not indexed yet (each [`NoteDocument`] holds a
/// [`Permit`] until they drop it). tantivy's own queue holds 10,000: parsing on one thread runs
/// ahead of indexing on the others, so a build held its first 10,000 notes at once, in memory
/// the allocator took fresh from the system (zeroing pages was 8% of a build's CPU). With a few
/// dozen in flight the indexing threads still never wait, and the memory of the notes they are
/// done with is parsed into again while it is warm.
#[derive(Debug, Default)]
struct InFlight {
    count: Mutex<usize>,
    indexed: Condvar,
}

/// Most notes [`InFlight`]: enough to keep four indexing threads fed through a long note.
const MAX_IN_FLIGHT: usize = 64;

/// How long a note waits for room before it goes in anyway: an indexing thread writing out a full
/// segment takes notes from the queue no more, and one that died must not hang the writer (its
/// next add reports the error).
const IN_FLIGHT_WAIT: Duration = Duration::from_millis(100);

impl InFlight {
    /// Waits for room (at most [`IN_FLIGHT_WAIT`]), then counts one more note in flight.
    fn enter(self: &Arc<Self>) -> Permit {
        let mut count = self.count.lock().unwrap_or_else(PoisonError::into_inner);
        if *count >= MAX_IN_FLIGHT {
            count = self
                .indexed
                .wait_timeout_while(count, IN_FLIGHT_WAIT, |n| *n >= MAX_IN_FLIGHT)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *count += 1;
        Permit(Arc::clone(self))
    }
}

/// One note in flight; dropped with the note's document, once tantivy has indexed it.
#[derive(Debug)]
struct Permit(Arc<InFlight>);

impl Drop for Permit {
    fn drop(&mut self) {
        let mut count = self.0.count.lock().unwrap_or_else(PoisonError::into_inner);
        *count = count.saturating_sub(1);
        drop(count);
        self.0.indexed.notify_one();
    }
}

/// Most notes a batch names for [`Writer::take_touched`]; past it (a rebuild, a pull of many
/// commits) it touches [`Touched::Everything`]. Each costs a stored-document read at commit.
const TOUCHED_MAX: usize = 256;

/// What changes touched that the places of attachments depend on (`sync::place_attachments`):
/// the attachments written, and the names that the links of the notes written or removed point to,
/// before the change and after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Touched {
    Some { attachments: BTreeSet<String>, names: BTreeSet<String> },
    Everything,
}

impl Default for Touched {
    fn default() -> Touched {
        Touched::Some { attachments: BTreeSet::new(), names: BTreeSet::new() }
    }
}

impl Touched {
    fn merge(&mut self, other: Touched) {
        match (&mut *self, other) {
            (Touched::Everything, _) => {}
            (_, Touched::Everything) => *self = Touched::Everything,
            (Touched::Some { attachments, names }, Touched::Some { attachments: a, names: n }) => {
                attachments.extend(a);
                names.extend(n);
            }
        }
    }
}

/// The batch being written: its touched set, and the ids whose indexed versions' links are read
/// at commit.
#[derive(Debug, Default)]
struct Touching {
    touched: Touched,
    ids: BTreeSet<String>,
}

impl Touching {
    fn note(&mut self, id: &str) {
        if matches!(self.touched, Touched::Everything) {
            return;
        }
        self.ids.insert(id.to_string());
        if self.ids.len() > TOUCHED_MAX {
            self.touched = Touched::Everything;
            self.ids.clear();
        }
    }

    fn add(&mut self, note: &Note) {
        self.note(&note.id);
        if let Touched::Some { attachments, names } = &mut self.touched {
            if note.kind == crate::note::ATTACHMENT_KIND {
                attachments.insert(note.id.clone());
            }
            names.extend(note.links.iter().filter_map(|l| l.key.as_ref()).filter_map(link_name));
        }
    }
}

/// The name a link's target answers to (`None` outside the folder).
fn link_name(key: &LinkKey) -> Option<String> {
    match key {
        LinkKey::Path(name) | LinkKey::Name(name) => Some(name.clone()),
        LinkKey::Outside(_) => None,
    }
}

impl Writer {
    pub(super) fn new(index: &Index) -> Result<Writer> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
        let writer = index
            .index
            .writer_with_num_threads(threads, WRITER_BUDGET.max(threads * 16 * 1024 * 1024))
            .map_err(|e| match e {
                tantivy::TantivyError::LockFailure(..) => Error::Locked(index.dir.clone()),
                other => Error::Index(other),
            })?;
        writer.set_merge_policy(Box::new(MergePolicy::new()));
        // A process killed inside a commit leaves files that no commit names, `<segment>.<opstamp>.del`
        // among them; the next commit to reach that opstamp would create it again and fail with
        // FileAlreadyExists (found by tests/it/crash.rs). Collect them before anything is written.
        if let Err(e) = writer.garbage_collect_files().wait() {
            tracing::warn!(error = %e, "cannot remove the files an interrupted run left in the index");
        }
        Ok(Writer {
            index: index.clone(),
            writer,
            pending: 0,
            touching: Touching::default(),
            committed: Touched::default(),
            in_flight: Arc::default(),
        })
    }

    /// Adds or replaces a note that has no history.
    pub fn upsert(&mut self, note: Note, stamp: Stamp) -> Result<()> {
        self.upsert_with(note, stamp, &Changes::default())
    }

    /// Adds or replaces a note, with what its history says.
    pub fn upsert_with(&mut self, note: Note, stamp: Stamp, changes: &Changes) -> Result<()> {
        let f = &self.index.fields;
        self.writer.delete_term(Term::from_field_text(f.id, &note.id));
        self.touching.add(&note);
        let mut doc = document(f, note, stamp, changes);
        doc.permit = Some(self.in_flight.enter());
        self.writer.add_document(doc)?;
        self.pending += 1;
        Ok(())
    }

    /// Removes a note by id (a no-op when it is not indexed).
    pub fn delete(&mut self, id: &str) {
        self.writer.delete_term(Term::from_field_text(self.index.fields.id, id));
        self.pending += 1;
        self.touching.note(id);
    }

    /// Changes not committed yet.
    pub fn pending(&self) -> usize {
        self.pending
    }

    /// Commits the batch and reloads the reader so searches see it at once.
    pub fn commit(&mut self) -> Result<()> {
        // The links the replaced and removed notes had, read before the commit hides them.
        let Touching { mut touched, ids } = std::mem::take(&mut self.touching);
        if let Touched::Some { names, .. } = &mut touched {
            names.extend(self.indexed_links(&ids)?.iter().filter_map(link_name));
        }
        self.writer.commit()?;
        self.pending = 0;
        self.committed.merge(touched);
        self.index.reload()
    }

    /// After a batch of `batch` changes (just committed) larger than a large segment, as a build
    /// is: merges the small segments it left behind into one. Each indexing thread's last segment
    /// of a batch is part-full, and a server would merge those with its first saves, reading them
    /// through the memory map while it serves: at 100,000 notes, two of 9,605 and 4,172 notes
    /// raised the serving peak by 55 MB. A build of fewer notes leaves only small segments (saves
    /// merge them as they come); then nothing is merged here. A merge that cannot run is left to
    /// the merge policy.
    pub fn merge_leftovers(&mut self, batch: usize) -> Result<()> {
        self.merge_small(batch, MAX_MERGED_DOCS)
    }

    /// [`Writer::merge_leftovers`], with segments of more than `large` notes counted as large.
    fn merge_small(&mut self, batch: usize, large: usize) -> Result<()> {
        if batch <= large {
            return Ok(());
        }
        let Some(ids) = leftovers(&self.index.index.searchable_segment_metas()?, large) else {
            return Ok(());
        };
        match self.writer.merge(&ids).wait() {
            Ok(_) => self.index.reload(),
            Err(e) => {
                tracing::warn!(error = %e, segments = ids.len(), "cannot merge the small segments a build left");
                Ok(())
            }
        }
    }

    /// Drops uncommitted changes.
    pub fn rollback(&mut self) -> Result<()> {
        self.writer.rollback()?;
        self.pending = 0;
        self.touching = Touching::default();
        Ok(())
    }

    /// What the commits since the last call touched that attachments' places depend on.
    pub fn take_touched(&mut self) -> Touched {
        std::mem::take(&mut self.committed)
    }

    /// The links of the indexed (committed) versions of the notes `ids`.
    fn indexed_links(&self, ids: &BTreeSet<String>) -> Result<Vec<LinkKey>> {
        use tantivy::schema::document::Value;
        let f = &self.index.fields;
        let searcher = self.index.searcher();
        let mut out = Vec::new();
        for id in ids {
            let query = TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic);
            for addr in searcher.search(&query, &DocSetCollector)? {
                let doc: TantivyDocument = searcher.doc(addr)?;
                out.extend(doc.get_all(f.links).filter_map(|v| v.as_str().and_then(LinkKey::from_term)));
            }
        }
        Ok(out)
    }
}

fn date(d: &crate::note::date::Instant) -> DateTime {
    DateTime::from_timestamp_secs(d.timestamp())
}

/// The people who know a note: its experts, then its commit authors, each once.
pub fn people(note: &Note, changes: &Changes) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    note.experts.iter().chain(&changes.contributors).filter(|p| seen.insert(fold_key(p))).cloned().collect()
}

/// A note as tantivy indexes it. tantivy indexes any [`tantivy::Document`] in place, on its own
/// threads: each text is held once however many fields read it (a `TantivyDocument` copied the
/// body once per field), and the note's id, title and body are moved in, not copied.
pub struct NoteDocument {
    texts: Vec<String>,
    values: Vec<(Field, Owned)>,
    /// Counts the note [`InFlight`] while tantivy holds it.
    permit: Option<Permit>,
}

/// One value of a [`NoteDocument`].
#[derive(Debug)]
enum Owned {
    /// `texts[i]`.
    Text(usize),
    Facet(Facet),
    U64(u64),
    I64(i64),
    Bool(bool),
    Date(DateTime),
    Bytes(Vec<u8>),
}

impl NoteDocument {
    /// `text`, once, for each of `fields`.
    fn text(&mut self, fields: &[Field], text: String) {
        let i = self.texts.len();
        self.texts.push(text);
        self.values.extend(fields.iter().map(|field| (*field, Owned::Text(i))));
    }

    fn value(&mut self, field: Field, value: Owned) {
        self.values.push((field, value));
    }

    fn leaf<'a>(&'a self, value: &'a Owned) -> ReferenceValueLeaf<'a> {
        match value {
            Owned::Text(i) => ReferenceValueLeaf::Str(&self.texts[*i]),
            Owned::Facet(f) => ReferenceValueLeaf::Facet(f.encoded_str()),
            Owned::U64(n) => ReferenceValueLeaf::U64(*n),
            Owned::I64(n) => ReferenceValueLeaf::I64(*n),
            Owned::Bool(b) => ReferenceValueLeaf::Bool(*b),
            Owned::Date(d) => ReferenceValueLeaf::Date(*d),
            Owned::Bytes(b) => ReferenceValueLeaf::Bytes(b),
        }
    }
}

/// A value of a [`NoteDocument`] as tantivy reads it.
#[derive(Debug, Clone)]
pub struct Leaf<'a>(ReferenceValueLeaf<'a>);

impl<'a> tantivy::schema::document::Value<'a> for Leaf<'a> {
    type ArrayIter = std::iter::Empty<Leaf<'a>>;
    type ObjectIter = std::iter::Empty<(&'a str, Leaf<'a>)>;

    fn as_value(&self) -> ReferenceValue<'a, Self> {
        ReferenceValue::Leaf(self.0.clone())
    }
}

impl Document for NoteDocument {
    type Value<'a> = Leaf<'a>;
    type FieldsValuesIter<'a> = std::vec::IntoIter<(Field, Leaf<'a>)>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        self.values.iter().map(|(field, value)| (*field, Leaf(self.leaf(value)))).collect::<Vec<_>>().into_iter()
    }
}

/// The tantivy document of a note. Only the texts indexed travel on with it (a queue of notes
/// waits for the indexing threads): not the note's Markdown, headings or links.
pub fn document(f: &Fields, note: Note, stamp: Stamp, changes: &Changes) -> NoteDocument {
    let mut doc = NoteDocument { texts: Vec::with_capacity(32), values: Vec::with_capacity(64), permit: None };
    for name in crate::note::links::names(&note.id) {
        doc.text(&[f.names], name);
    }
    for link in &note.links {
        if let Some(key) = &link.key {
            doc.text(&[f.links], key.term());
        }
    }
    let mut lead = note.summary.clone().unwrap_or_default();
    for t in &note.tags {
        lead.push_str(" \n ");
        lead.push_str(t);
    }
    doc.text(&[f.lead, f.lead_x], lead);
    let headings: Vec<&str> = note.headings.iter().map(|h| h.text.as_str()).collect();
    doc.text(&[f.headings], headings.join(" \n "));

    let keys = [
        (f.portfolio_k, note.portfolio.iter().collect::<Vec<_>>()),
        (f.program_k, note.program.iter().collect()),
        (f.project_k, note.project.iter().collect()),
        (f.expert_k, note.experts.iter().collect()),
        (f.kind_k, vec![&note.kind]),
        (f.tag_k, note.tags.iter().collect()),
        (f.status_k, note.status.iter().collect()),
    ];
    for (field, values) in keys {
        for v in values {
            doc.text(&[field], fold_key(v));
        }
    }
    let people = people(&note, changes);
    for p in &people {
        doc.text(&[f.author_k], fold_key(p));
        doc.value(f.author_f, Owned::Facet(Facet::from_path([p.as_str()])));
    }
    for (k, v) in &note.meta {
        doc.text(&[f.meta_k], format!("{}={}", fold_key(k), fold_key(v)));
    }
    for grant in crate::access::grants(note.visibility.as_deref(), &note.audience, &note.id) {
        doc.text(&[f.access], grant);
    }
    doc.value(f.key, Owned::Bool(note.key));
    doc.value(f.problems, Owned::U64(note.problems.len() as u64));

    let facets = [
        (f.program_f, note.program.iter().collect::<Vec<_>>()),
        (f.project_f, note.project.iter().collect()),
        (f.expert_f, note.experts.iter().collect()),
        (f.kind_f, vec![&note.kind]),
        (f.tag_f, note.tags.iter().collect()),
        (f.status_f, note.status.iter().collect()),
    ];
    for (field, values) in facets {
        for v in values {
            doc.value(field, Owned::Facet(Facet::from_path([v.as_str()])));
        }
    }
    let unset = String::new();
    let tree = [
        note.portfolio.as_ref().unwrap_or(&unset),
        note.program.as_ref().unwrap_or(&unset),
        note.project.as_ref().unwrap_or(&unset),
    ];
    doc.value(f.tree, Owned::Facet(Facet::from_path(tree.iter().map(|s| s.as_str()))));
    if let Some(d) = &note.date {
        doc.value(f.date, Owned::Date(date(d)));
    }
    if let Some(d) = &note.review_by {
        doc.value(f.review_by, Owned::Date(date(d)));
    }
    if let Some(t) = changes.updated {
        doc.value(f.updated, Owned::Date(DateTime::from_timestamp_secs(t)));
    }
    doc.value(f.mtime, Owned::I64(stamp.mtime));
    doc.value(f.size, Owned::U64(stamp.size));
    doc.value(f.hash, Owned::U64(stamp.hash));
    doc.value(f.history, Owned::U64(changes.digest));
    doc.value(f.card, Owned::Bytes(serde_json::to_vec(&Card::with_changes(&note, changes)).unwrap_or_default()));
    // Last, once nothing else reads the note: its id, title and body are moved, not copied.
    doc.text(&[f.id], note.id);
    doc.text(&[f.title, f.title_x], note.title);
    doc.text(&[f.body, f.body_x], note.text);
    doc
}

#[cfg(test)]
mod tests {
    use tantivy::index::SegmentId;

    use super::*;

    fn in_flight(w: &Writer) -> usize {
        *w.in_flight.count.lock().expect("lock")
    }

    #[test]
    fn notes_leave_the_in_flight_count_once_indexed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Index::open(dir.path(), false).expect("open");
        let mut w = index.writer().expect("writer");
        for i in 0..3 * MAX_IN_FLIGHT {
            w.upsert(crate::note::parse(&format!("p/n{i}.md"), b"# A note\n\nSome words."), Stamp::default())
                .expect("upsert");
            // Past the bound only by the notes that waited out a stall (one per IN_FLIGHT_WAIT).
            assert!(in_flight(&w) <= 2 * MAX_IN_FLIGHT, "{} in flight", in_flight(&w));
        }
        w.commit().expect("commit");
        assert_eq!(in_flight(&w), 0, "tantivy drops each document once indexed");
        assert_eq!(index.searcher().num_docs(), 3 * MAX_IN_FLIGHT as u64);
    }

    #[test]
    fn a_full_queue_admits_a_note_when_one_is_indexed_and_never_hangs() {
        let in_flight = Arc::new(InFlight::default());
        let mut held: Vec<Permit> = (0..MAX_IN_FLIGHT).map(|_| in_flight.enter()).collect();
        let one = held.pop().expect("a permit");
        let indexed = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(10));
            drop(one);
        });
        held.push(in_flight.enter());
        indexed.join().expect("join");
        assert_eq!(*in_flight.count.lock().expect("lock"), MAX_IN_FLIGHT);
        // Nothing is ever indexed (a stalled or dead indexing thread): the note goes in anyway.
        held.push(in_flight.enter());
        assert_eq!(*in_flight.count.lock().expect("lock"), MAX_IN_FLIGHT + 1);
        held.clear();
        assert_eq!(*in_flight.count.lock().expect("lock"), 0);
    }

    #[test]
    fn a_large_batch_merges_the_small_segments_it_left() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Index::open(dir.path(), false).expect("open");
        let mut w = index.writer().expect("writer");
        let add = |w: &mut Writer, from: usize, n: usize| {
            for i in from..from + n {
                w.upsert(crate::note::parse(&format!("p/n{i}.md"), b"# A note\n\nwords"), Stamp::default())
                    .expect("upsert");
            }
            w.commit().expect("commit");
        };
        let sizes = |index: &Index| {
            let mut sizes: Vec<u32> =
                index.index.searchable_segment_metas().expect("metas").iter().map(|m| m.max_doc()).collect();
            sizes.sort_unstable();
            sizes
        };
        // Segments of more than 50 notes count as large here: one batch of 120, then two of 5
        // (at most six segments: tantivy's own policy merges none of them meanwhile).
        add(&mut w, 0, 120);
        for k in 0..2 {
            add(&mut w, 200 + 10 * k, 5);
        }
        let before = sizes(&index);
        let (large, small): (Vec<u32>, Vec<u32>) = before.iter().partition(|&&n| n > 50);
        assert!(small.len() >= 2 && !large.is_empty(), "{before:?}");
        // A small batch merges nothing.
        w.merge_small(50, 50).expect("merge");
        assert_eq!(sizes(&index), before);
        w.merge_small(120, 50).expect("merge");
        let after = sizes(&index);
        let mut want: Vec<u32> = large.iter().copied().chain([small.iter().sum()]).collect();
        want.sort_unstable();
        assert_eq!(after, want, "the small ones merged into one: {before:?} → {after:?}");
        assert_eq!(index.searcher().num_docs(), 130, "the reader sees the merged segment");
        assert_eq!(index.searcher().segment_readers().len(), after.len());
    }

    #[test]
    fn leftovers_are_the_small_segments_beside_large_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Index::open(dir.path(), true).expect("open");
        let meta = |docs: u32| index.index.new_segment_meta(SegmentId::generate_random(), docs);
        let (a, b) = (meta(9_605), meta(4_172));
        let build = [meta(21_000), meta(21_500), a.clone(), b.clone()];
        let mut ids = leftovers(&build, MAX_MERGED_DOCS).expect("two small beside large ones");
        ids.sort();
        let mut want = vec![a.id(), b.id()];
        want.sort();
        assert_eq!(ids, want);
        assert!(leftovers(&[meta(5_000), meta(5_000)], MAX_MERGED_DOCS).is_none(), "a build of 10,000 notes");
        assert!(leftovers(&[meta(21_000), meta(300)], MAX_MERGED_DOCS).is_none(), "one small segment");
        assert!(leftovers(&[meta(21_000), meta(20_000)], MAX_MERGED_DOCS).is_none());
    }

    #[test]
    fn commits_name_what_they_touched_for_the_attachments() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Index::open(dir.path(), false).expect("open");
        let mut w = index.writer().expect("writer");
        let names = |t: Touched| match t {
            Touched::Some { attachments, names } => (attachments, names),
            Touched::Everything => panic!("everything"),
        };
        w.upsert(crate::note::parse("p/a.md", b"See [x](docs/x.pdf) and [[b]]."), Stamp::default()).expect("upsert");
        let mut pdf = crate::note::parse("p/docs/x.pdf", b"");
        pdf.kind = crate::note::ATTACHMENT_KIND.to_string();
        w.upsert(pdf, Stamp::default()).expect("upsert");
        w.commit().expect("commit");
        let (attachments, touched) = names(w.take_touched());
        assert_eq!(attachments.into_iter().collect::<Vec<_>>(), ["p/docs/x.pdf"]);
        assert!(touched.contains("p/docs/x.pdf") && touched.contains("b"), "{touched:?}");
        assert_eq!(w.take_touched(), Touched::default(), "taken once");
        // A removal names what the note linked to (read from the index), over two commits.
        w.delete("p/a.md");
        w.commit().expect("commit");
        w.upsert(crate::note::parse("p/c.md", b"No links."), Stamp::default()).expect("upsert");
        w.commit().expect("commit");
        let (attachments, touched) = names(w.take_touched());
        assert!(attachments.is_empty());
        assert!(touched.contains("p/docs/x.pdf") && touched.contains("b"), "{touched:?}");
        // A batch past TOUCHED_MAX touches everything, without reading the notes it replaced.
        for i in 0..=TOUCHED_MAX {
            w.upsert(crate::note::parse(&format!("p/n{i}.md"), b"text"), Stamp::default()).expect("upsert");
        }
        w.commit().expect("commit");
        assert_eq!(w.take_touched(), Touched::Everything);
    }

    #[test]
    fn small_segments_are_merged_and_large_ones_only_rewritten_when_a_third_is_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Index::open(dir.path(), true).expect("open");
        let writer = index.writer().expect("writer");
        let policy = writer.writer.get_merge_policy();
        let segments = |docs: u32| -> Vec<tantivy::index::SegmentMeta> {
            (0..8).map(|_| index.index.new_segment_meta(SegmentId::generate_random(), docs)).collect()
        };
        // Eight segments a full build of 160,000 notes leaves: left alone.
        assert!(policy.compute_merge_candidates(&segments(20_000)).is_empty());
        // Eight small ones, as saves and pulls write them: merged into one.
        let small = policy.compute_merge_candidates(&segments(500));
        assert_eq!(small.len(), 1);
        assert_eq!(small[0].0.len(), 8);
        assert!(policy.compute_merge_candidates(&segments(MAX_MERGED_DOCS as u32 + 1)).is_empty());

        // A large segment is rewritten alone once a third of it is deleted.
        let large = |deleted: u32| {
            index.index.new_segment_meta(SegmentId::generate_random(), 20_000).with_delete_meta(deleted, 1)
        };
        let (few, many, most) = (large(2_000), large(7_000), large(12_000));
        let mut segments = vec![large(0), few.clone(), many.clone(), large(5_900), most.clone()];
        let candidates = policy.compute_merge_candidates(&segments);
        let mut ids: Vec<Vec<SegmentId>> = candidates.iter().map(|c| c.0.clone()).collect();
        ids.sort();
        let mut want = vec![vec![many.id()], vec![most.id()]];
        want.sort();
        assert_eq!(ids, want, "the segments with 35% and 60% deleted, each alone");
        // With small segments to merge as well: both kinds of merge, and no segment in two.
        segments.extend((0..8).map(|_| index.index.new_segment_meta(SegmentId::generate_random(), 500)));
        let candidates = policy.compute_merge_candidates(&segments);
        assert_eq!(candidates.len(), 3, "{candidates:?}");
        let mut all: Vec<SegmentId> = candidates.iter().flat_map(|c| c.0.clone()).collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 10, "each segment in one merge at most");
        assert!(!all.contains(&few.id()));
        // A segment of exactly the largest merged size, a third of it deleted: rewritten too.
        let edge = index
            .index
            .new_segment_meta(SegmentId::generate_random(), MAX_MERGED_DOCS as u32)
            .with_delete_meta(3_500, 1);
        let candidates = policy.compute_merge_candidates(std::slice::from_ref(&edge));
        assert_eq!(candidates.iter().map(|c| c.0.clone()).collect::<Vec<_>>(), vec![vec![edge.id()]]);
    }
}
