//! Facet counts for searches: how many matching notes have each program, project, expert, kind,
//! tag and status.
//!
//! tantivy's `FacetCollector` reads each matching note's facet ordinals through the column index
//! and turns every counted ordinal back into its facet through the sstable dictionary, per segment
//! and per search: at 100,000 notes that was a third of a search's time (BENCHMARKS.md, the
//! profile). Segments never change once written, so [`Cache`] lays each live segment's ordinals
//! out once, as a plain array per dimension, and numbers every value once in a [`Vocabulary`]
//! with its spelling group. [`FacetCounter`] collects the matching notes in the same pass as the
//! ranking and counts them a block at a time, one dimension after another; the segments' counts
//! then add up by value number, and no value is cloned, compared or folded per search except the
//! ones listed.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::schema::{Facet, Field};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::search::{merge_groups, FacetValue};
use crate::analysis::fold_key;

/// Most values listed per dimension.
const MAX_VALUES: usize = 100;

/// Matching documents buffered before they are counted (a few in tests, so that they count
/// across blocks).
const BLOCK: usize = if cfg!(test) { 7 } else { 2048 };

/// One segment's values of one facet field, by document.
struct Dimension {
    values: Values,
    /// The number in the dimension's [`Vocabulary`] of each ordinal's value.
    numbers: Vec<u32>,
}

enum Values {
    /// Every document has at most one value (program, project, kind, status): document `d`'s is
    /// `ords[d]`, [`NONE`] for none.
    Single(Vec<u32>),
    /// Document `d`'s values are `ords[starts[d]..starts[d + 1]]`, each once.
    Many { starts: Vec<u32>, ords: Vec<u32> },
}

/// No value.
const NONE: u32 = u32::MAX;

impl Dimension {
    /// The segment's values of `field`, numbered by `numbers`, which is called with every value's
    /// name (the facet's last path component) in ordinal order.
    fn read(
        reader: &SegmentReader,
        field: Field,
        mut numbers: impl FnMut(Vec<String>) -> Vec<u32>,
    ) -> tantivy::Result<Dimension> {
        let name = reader.schema().get_field_name(field);
        let facets = reader.facet_reader(name)?;
        let mut names = Vec::with_capacity(facets.num_facets());
        let mut terms = facets.facet_dict().stream()?;
        while terms.advance() {
            let facet = Facet::from_encoded(terms.key().to_vec()).map_err(|e| {
                tantivy::TantivyError::InternalError(format!("facet field {name} holds a bad facet: {e}"))
            })?;
            names.push(facet.to_path().last().map(|s| s.to_string()).unwrap_or_default());
        }
        let numbers = numbers(names);
        let mut starts = Vec::with_capacity(reader.max_doc() as usize + 1);
        let mut ords = Vec::with_capacity(reader.max_doc() as usize);
        starts.push(0);
        let mut doc_ords: Vec<u32> = Vec::new();
        for doc in 0..reader.max_doc() {
            doc_ords.clear();
            doc_ords.extend(facets.facet_ords(doc).map(|o| o as u32));
            doc_ords.sort_unstable();
            doc_ords.dedup();
            ords.extend_from_slice(&doc_ords);
            starts.push(ords.len() as u32);
        }
        let values = if starts.windows(2).all(|w| w[1] - w[0] <= 1) {
            Values::Single(starts.windows(2).map(|w| if w[1] > w[0] { ords[w[0] as usize] } else { NONE }).collect())
        } else {
            ords.shrink_to_fit();
            Values::Many { starts, ords }
        };
        Ok(Dimension { values, numbers })
    }

    /// Adds one to `counts` (by ordinal) for each value of each of `docs`.
    fn count(&self, docs: &[DocId], counts: &mut [u32]) {
        match &self.values {
            Values::Single(ords) => {
                for &doc in docs {
                    if let Some(n) = counts.get_mut(ords[doc as usize] as usize) {
                        *n += 1;
                    }
                }
            }
            Values::Many { starts, ords } => {
                for &doc in docs {
                    let (from, to) = (starts[doc as usize] as usize, starts[doc as usize + 1] as usize);
                    for &ord in &ords[from..to] {
                        counts[ord as usize] += 1;
                    }
                }
            }
        }
    }
}

/// Every value one dimension's segments have held, numbered once, with its spelling group
/// ([`fold_key`]): counts of different segments add up by number, and spellings merge by group.
#[derive(Default, Clone)]
struct Vocabulary {
    names: Vec<String>,
    /// The spelling group of each value.
    groups: Vec<u32>,
    numbers: HashMap<String, u32>,
    keys: HashMap<String, u32>,
}

impl Vocabulary {
    fn number(&mut self, name: String) -> u32 {
        if let Some(&n) = self.numbers.get(&name) {
            return n;
        }
        let next = self.keys.len() as u32;
        let group = *self.keys.entry(fold_key(&name)).or_insert(next);
        let n = self.names.len() as u32;
        self.names.push(name.clone());
        self.groups.push(group);
        self.numbers.insert(name, n);
        n
    }

    /// The values counted (by number), one per spelling group under its most used spelling, most
    /// notes first, then by value ([`merge_groups`]), at most [`MAX_VALUES`].
    fn list(&self, counts: &[u64]) -> Vec<FacetValue> {
        let counted = counts.iter().enumerate().filter(|(_, &count)| count > 0);
        let mut out = merge_groups(counted.map(|(n, &count)| (self.groups[n], self.names[n].as_str(), count)));
        out.truncate(MAX_VALUES);
        out
    }
}

/// Every dimension of one segment, in the cache's order.
struct Segment {
    dimensions: Vec<Dimension>,
}

/// The facet values of the live segments, built on first use and dropped when a newer searcher no
/// longer has the segment; the values' numbers are kept for the life of the index (a value
/// no note holds any more is a few bytes).
pub struct Cache {
    /// API name and facet field of each dimension, as every segment lays them out.
    dims: Vec<(&'static str, Field)>,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    segments: HashMap<SegmentId, Arc<Segment>>,
    /// The newest searcher generation seen: only it may evict.
    generation: u64,
    /// Per dimension, its values; copied on write, so a search lists its counts from a snapshot.
    vocabularies: Vec<Arc<Vocabulary>>,
}

impl Cache {
    /// A cache of these dimensions: API name and facet field.
    pub fn new(dims: Vec<(&'static str, Field)>) -> Cache {
        let inner = Inner { vocabularies: vec![Arc::default(); dims.len()], ..Inner::default() };
        Cache { dims, inner: Mutex::new(inner) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The segment's values, building them once.
    fn segment(&self, reader: &SegmentReader) -> tantivy::Result<Arc<Segment>> {
        let id = reader.segment_id();
        if let Some(found) = self.lock().segments.get(&id) {
            return Ok(found.clone());
        }
        // Built outside the lock but for the numbering: a large segment takes some milliseconds,
        // and searches on other segments need not wait. Two searches may both build a new
        // segment; one copy is kept, and a value is numbered once either way.
        let dimensions = self
            .dims
            .iter()
            .enumerate()
            .map(|(d, &(_, field))| {
                Dimension::read(reader, field, |names| {
                    let mut inner = self.lock();
                    let vocabulary = Arc::make_mut(&mut inner.vocabularies[d]);
                    names.into_iter().map(|name| vocabulary.number(name)).collect()
                })
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        let built = Arc::new(Segment { dimensions });
        Ok(self.lock().segments.entry(id).or_insert(built).clone())
    }

    /// Forgets the segments a searcher of `generation` no longer has, unless an older searcher asks.
    fn keep_only(&self, generation: u64, live: &[SegmentId]) {
        let mut inner = self.lock();
        if generation < inner.generation {
            return;
        }
        inner.generation = generation;
        inner.segments.retain(|id, _| live.contains(id));
    }
}

/// Counts the values of some facet dimensions over the documents a query matches.
pub struct FacetCounter {
    cache: Arc<Cache>,
    /// API name and index in the cache's dimensions of each dimension counted.
    counted: Vec<(&'static str, usize)>,
}

impl FacetCounter {
    /// A counter of the cache's dimensions named in `counted` on `searcher`.
    pub fn new(cache: Arc<Cache>, searcher: &tantivy::Searcher, counted: &[&str]) -> FacetCounter {
        let live: Vec<SegmentId> = searcher.segment_readers().iter().map(SegmentReader::segment_id).collect();
        cache.keep_only(searcher.generation().generation_id(), &live);
        let counted = cache
            .dims
            .iter()
            .enumerate()
            .filter(|(_, (name, _))| counted.contains(name))
            .map(|(i, &(name, _))| (name, i))
            .collect();
        FacetCounter { cache, counted }
    }
}

/// Per counted dimension (in the counter's order), each value number counted and its notes.
pub type Counts = Vec<Vec<(u32, u32)>>;

pub struct SegmentFacetCounter {
    segment: Option<Arc<Segment>>,
    /// Each counted dimension: its index among the segment's dimensions and a count per ordinal.
    counted: Vec<(usize, Vec<u32>)>,
    /// Matching documents not counted yet.
    block: Vec<DocId>,
}

impl SegmentFacetCounter {
    fn count_block(&mut self) {
        if let Some(segment) = &self.segment {
            for (i, counts) in &mut self.counted {
                segment.dimensions[*i].count(&self.block, counts);
            }
        }
        self.block.clear();
    }
}

impl Collector for FacetCounter {
    type Fruit = BTreeMap<String, Vec<FacetValue>>;
    type Child = SegmentFacetCounter;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentFacetCounter> {
        if self.counted.is_empty() {
            return Ok(SegmentFacetCounter { segment: None, counted: Vec::new(), block: Vec::new() });
        }
        let segment = self.cache.segment(reader)?;
        let counted = self.counted.iter().map(|&(_, i)| (i, vec![0u32; segment.dimensions[i].numbers.len()])).collect();
        Ok(SegmentFacetCounter { segment: Some(segment), counted, block: Vec::with_capacity(BLOCK) })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Counts>) -> tantivy::Result<Self::Fruit> {
        let vocabularies: Vec<Arc<Vocabulary>> = {
            let inner = self.cache.lock();
            self.counted.iter().map(|&(_, i)| inner.vocabularies[i].clone()).collect()
        };
        let mut out = BTreeMap::new();
        for (d, &(name, _)) in self.counted.iter().enumerate() {
            let mut totals = vec![0u64; vocabularies[d].names.len()];
            for &(number, n) in segments.iter().filter_map(|s| s.get(d)).flatten() {
                totals[number as usize] += u64::from(n);
            }
            out.insert(name.to_string(), vocabularies[d].list(&totals));
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        if self.segment.is_some() {
            self.block.push(doc);
            if self.block.len() == BLOCK {
                self.count_block();
            }
        }
    }

    fn harvest(mut self) -> Counts {
        self.count_block();
        let Some(segment) = &self.segment else { return Vec::new() };
        self.counted
            .iter()
            .map(|(i, counts)| {
                let numbers = &segment.dimensions[*i].numbers;
                counts.iter().zip(numbers).filter(|(&n, _)| n > 0).map(|(&n, &number)| (number, n)).collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::FacetCollector;
    use tantivy::query::{AllQuery, Query, TermQuery};
    use tantivy::schema::IndexRecordOption;
    use tantivy::Term;

    use super::*;
    use crate::index::search::merge_spellings;
    use crate::index::{writer::Stamp, Index};
    use crate::note;

    /// tantivy's own collector, the reference, with the same spelling merge.
    fn reference(index: &Index, query: &dyn Query, dim: &'static str, field: Field) -> Vec<FacetValue> {
        let searcher = index.searcher();
        let mut c = FacetCollector::for_field(searcher.schema().get_field_name(field));
        c.add_facet(Facet::root());
        let counts = searcher.search(query, &c).expect(dim);
        let values = counts
            .get(Facet::root())
            .map(|(facet, n)| (facet.to_path().last().map(|s| s.to_string()).unwrap_or_default(), n));
        let mut out = merge_spellings(values);
        out.truncate(MAX_VALUES);
        out
    }

    fn note(i: usize, program: &str, tags: &str) -> note::Note {
        let text = format!(
            "---\ntitle: Note {i}\nkind: lesson\nprogram: {program}\nexperts: [Sara, Reza{}]\ntags: [{tags}]\n---\n\
             The vendor note {i}.\n",
            i % 3
        );
        note::parse(&format!("p/n{i}.md"), text.as_bytes())
    }

    #[test]
    fn counts_equal_tantivys_collector_across_commits_deletes_and_merged_spellings() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Index::open(dir.path(), true).expect("open");
        let f = index.fields().clone();
        let all = [("program", f.program_f), ("expert", f.expert_f), ("tag", f.tag_f), ("kind", f.kind_f)];
        let names = all.map(|d| d.0);
        let mut w = index.writer().expect("writer");
        // Three commits, so three segments; a tag written twice in one note counts once; two
        // spellings of one program (half-space and space) merge.
        for batch in 0..3 {
            for i in batch * 10..batch * 10 + 10 {
                let program = ["Alpha", "برنامه‌ریزی", "برنامه ریزی"][i % 3];
                w.upsert(note(i, program, "risk, cost, risk"), Stamp::default()).expect("upsert");
            }
            w.commit().expect("commit");
        }
        let check = |label: &str| {
            let vendor = TermQuery::new(Term::from_field_text(f.body, "vendor"), IndexRecordOption::Basic);
            let sara = TermQuery::new(Term::from_field_text(f.expert_k, "sara"), IndexRecordOption::Basic);
            let queries: [&dyn Query; 3] = [&AllQuery, &vendor, &sara];
            for q in queries {
                let searcher = index.searcher();
                let counter = FacetCounter::new(index.facet_cache(), &searcher, &names);
                let got = searcher.search(q, &counter).expect("count");
                for (dim, field) in all {
                    assert_eq!(got[dim], reference(&index, q, dim, field), "{label}: {dim} for {q:?}");
                }
            }
        };
        check("three segments");
        let programs = index.searcher();
        let counter = FacetCounter::new(index.facet_cache(), &programs, &["program"]);
        let got = programs.search(&AllQuery, &counter).expect("count");
        assert_eq!(got["program"].len(), 2, "{:?}", got["program"]);
        assert_eq!(got["program"].iter().map(|v| v.count).sum::<u64>(), 30);

        // Notes move to another program, and some are deleted: the cached segments keep their
        // ordinals, the deleted documents are no longer matched.
        for i in 0..5 {
            w.upsert(note(i, "Gamma", "schedule"), Stamp::default()).expect("upsert");
        }
        for i in 25..30 {
            w.delete(&format!("p/n{i}.md"));
        }
        w.commit().expect("commit");
        check("after changes and deletes");
        let searcher = index.searcher();
        let counter = FacetCounter::new(index.facet_cache(), &searcher, &["tag"]);
        let tags = searcher.search(&AllQuery, &counter).expect("count");
        let count = |v: &str| tags["tag"].iter().find(|t| t.value == v).map(|t| t.count);
        assert_eq!((count("risk"), count("schedule")), (Some(20), Some(5)), "{:?}", tags["tag"]);
        assert_eq!(tags.len(), 1, "only the dimensions asked for");
    }
}
