//! A query used as a `MustNot` clause (`-word`, `-"a phrase"`). tantivy 0.27's `Exclude` asks its
//! exclusion scorer whether it holds the candidate document with `seek_danger`, also for documents
//! before the scorer's position (a fresh scorer already stands on its first match), and the phrase
//! scorer asserts that this never happens (quickwit-oss/tantivy#2811): `-"vendor onboarding"`
//! panicked in every build with debug assertions (found by fuzzing `query_parse`). Wrapped, a seek
//! behind the position is answered here: that document is not in the set.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SeekDangerResult, SegmentReader, Term};

/// Excludes what its query matches, as the `MustNot` clause `(Occur::MustNot, Excluded::boxed(q))`.
#[derive(Debug)]
pub struct Excluded(Box<dyn Query>);

impl Excluded {
    pub fn boxed(query: Box<dyn Query>) -> Box<dyn Query> {
        Box::new(Excluded(query))
    }
}

impl Clone for Excluded {
    fn clone(&self) -> Self {
        Excluded(self.0.box_clone())
    }
}

impl Query for Excluded {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ExcludedWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct ExcludedWeight(Box<dyn Weight>);

impl Weight for ExcludedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inner = self.0.scorer(reader, boost)?;
        // tantivy drops an empty exclusion when it can see it.
        if inner.is::<EmptyScorer>() {
            return Ok(inner);
        }
        Ok(Box::new(ForwardOnly(inner)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

/// A scorer that answers seeks behind its position without passing them on.
struct ForwardOnly(Box<dyn Scorer>);

impl DocSet for ForwardOnly {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if target <= self.0.doc() {
            return self.0.doc();
        }
        self.0.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        // Behind the position (a valid one, or the lower bound an earlier seek_danger stopped at):
        // every match is at or after it, so `target` is not one and the position is a lower bound.
        let doc = self.0.doc();
        if target < doc {
            return SeekDangerResult::SeekLowerBound(doc);
        }
        self.0.seek_danger(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for ForwardOnly {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

#[cfg(test)]
mod tests {
    use crate::index::search::{search, Request};
    use crate::index::{writer::Stamp, Index};
    use crate::note;

    #[test]
    fn excluding_a_phrase_keeps_every_other_note() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Index::open(dir.path(), true).expect("open");
        let mut w = index.writer().expect("writer");
        let notes = [
            ("a.md", "# Alpha\n\nNotes on planning.\n"),
            ("b.md", "# Beta\n\nThe vendor onboarding took long.\n"),
            ("c.md", "# Gamma\n\nvendor and onboarding, apart.\n"),
            ("d.md", "# Delta\n\nNothing here.\n"),
        ];
        for (id, text) in notes {
            w.upsert(note::parse(id, text.as_bytes()), Stamp::default()).expect("upsert");
        }
        w.commit().expect("commit");
        let ids = |q: &str| -> Vec<String> {
            let req = Request { q: q.into(), facets: false, ..Request::default() };
            let mut ids: Vec<String> = search(&index, &req).expect(q).hits.into_iter().map(|h| h.card.id).collect();
            ids.sort();
            ids
        };
        assert_eq!(ids("-\"vendor onboarding\""), ["a.md", "c.md", "d.md"]);
        assert_eq!(ids("-title:\"gamma\""), ["a.md", "b.md", "d.md"]);
        assert_eq!(ids("vendor -\"vendor onboarding\""), ["c.md"]);
        assert_eq!(ids("(vendor -\"vendor onboarding\") OR planning"), ["a.md", "c.md"]);
        assert_eq!(ids("-\"no such phrase\" -vendor"), ["a.md", "d.md"]);
    }
}
