//! Facet counts for searches: how many matching notes have each program, project, expert, kind,
//! tag and status.
//!
//! tantivy's `FacetCollector` reads each matching note's facet ordinals through the column index
//! and turns every counted ordinal back into its facet through the sstable dictionary, per segment
//! and per search: at 100,000 notes that was a third of a search's time (BENCHMARKS.md, the
//! profile). Segments never change once written, so [`Cache`] lays each live segment's ordinals
//! out once, as a plain array per dimension with the values' names beside them, and
//! [`FacetCounter`] counts into a `Vec<u32>` per dimension in the same pass as the ranking.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
use tantivy::schema::{Facet, Field};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::search::{merge_spellings, FacetValue};

/// Most values listed per dimension.
const MAX_VALUES: usize = 100;

/// One segment's values of one facet field, by document.
struct Dimension {
    values: Values,
    /// The value of each ordinal (the facet's last path component).
    names: Vec<String>,
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
    fn read(reader: &SegmentReader, field: Field) -> tantivy::Result<Dimension> {
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
        Ok(Dimension { values, names })
    }
}

/// Every dimension of one segment, in the cache's order.
struct Segment {
    dimensions: Vec<Dimension>,
}

/// The facet ordinals of the live segments, built on first use and dropped when a newer
/// searcher no longer has the segment.
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
}

impl Cache {
    /// A cache of these dimensions: API name and facet field.
    pub fn new(dims: Vec<(&'static str, Field)>) -> Cache {
        Cache { dims, inner: Mutex::default() }
    }

    /// The segment's ordinals, building them once.
    fn segment(&self, reader: &SegmentReader) -> tantivy::Result<Arc<Segment>> {
        let id = reader.segment_id();
        if let Some(found) = self.inner.lock().unwrap_or_else(PoisonError::into_inner).segments.get(&id) {
            return Ok(found.clone());
        }
        // Built outside the lock: a large segment takes some milliseconds, and searches on other
        // segments need not wait. Two searches may both build a new segment; one copy is kept.
        let dimensions =
            self.dims.iter().map(|&(_, f)| Dimension::read(reader, f)).collect::<tantivy::Result<Vec<_>>>()?;
        let built = Arc::new(Segment { dimensions });
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(inner.segments.entry(id).or_insert(built).clone())
    }

    /// Forgets the segments a searcher of `generation` no longer has, unless an older searcher asks.
    fn keep_only(&self, generation: u64, live: &[SegmentId]) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
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

/// Per dimension, each value's count (before spellings are merged).
pub type Counts = Vec<(&'static str, BTreeMap<String, u64>)>;

pub struct SegmentFacetCounter {
    segment: Option<Arc<Segment>>,
    /// Each counted dimension: its API name, its index among the segment's dimensions, and a
    /// counter per ordinal.
    counted: Vec<(&'static str, usize, Vec<u32>)>,
}

impl Collector for FacetCounter {
    type Fruit = BTreeMap<String, Vec<FacetValue>>;
    type Child = SegmentFacetCounter;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentFacetCounter> {
        if self.counted.is_empty() {
            return Ok(SegmentFacetCounter { segment: None, counted: Vec::new() });
        }
        let segment = self.cache.segment(reader)?;
        let counted =
            self.counted.iter().map(|&(name, i)| (name, i, vec![0u32; segment.dimensions[i].names.len()])).collect();
        Ok(SegmentFacetCounter { segment: Some(segment), counted })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Counts>) -> tantivy::Result<Self::Fruit> {
        let mut totals: BTreeMap<&'static str, BTreeMap<String, u64>> =
            self.counted.iter().map(|&(name, _)| (name, BTreeMap::new())).collect();
        for counts in segments {
            for (dim, values) in counts {
                let total = totals.entry(dim).or_default();
                for (value, n) in values {
                    *total.entry(value).or_default() += n;
                }
            }
        }
        Ok(totals
            .into_iter()
            .map(|(dim, values)| {
                let mut out = merge_spellings(values);
                out.truncate(MAX_VALUES);
                (dim.to_string(), out)
            })
            .collect())
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(segment) = &self.segment else { return };
        let doc = doc as usize;
        for (_, i, counts) in &mut self.counted {
            match &segment.dimensions[*i].values {
                Values::Single(ords) => {
                    if let Some(n) = ords.get(doc).and_then(|&ord| counts.get_mut(ord as usize)) {
                        *n += 1;
                    }
                }
                Values::Many { starts, ords } => {
                    let (from, to) = (starts[doc] as usize, starts[doc + 1] as usize);
                    for &ord in &ords[from..to] {
                        counts[ord as usize] += 1;
                    }
                }
            }
        }
    }

    fn harvest(self) -> Counts {
        let Some(segment) = &self.segment else { return Vec::new() };
        let mut out = Vec::with_capacity(self.counted.len());
        for (dim, i, counts) in &self.counted {
            let names = &segment.dimensions[*i].names;
            let values = counts
                .iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(ord, &n)| (names[ord].clone(), u64::from(n)))
                .collect();
            out.push((*dim, values));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::FacetCollector;
    use tantivy::query::{AllQuery, Query, TermQuery};
    use tantivy::schema::IndexRecordOption;
    use tantivy::Term;

    use super::*;
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
                w.upsert(&note(i, program, "risk, cost, risk"), Stamp::default()).expect("upsert");
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
            w.upsert(&note(i, "Gamma", "schedule"), Stamp::default()).expect("upsert");
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
