//! Read-side views other than search: resolving link keys to notes, backlinks, the portfolio →
//! program → project tree, experts, problems and counts (reviews and key documents are in
//! [`super::briefing`]). Like search, each call takes a searcher
//! and only reads.

use std::collections::BTreeMap;

use rustc_hash::FxHashSet as HashSet;

use serde::Serialize;
use tantivy::collector::{Collector, Count, FacetCollector, SegmentCollector};
use tantivy::query::{AllQuery, BooleanQuery, EnableScoring, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{
    DocAddress, DocId, DocSet, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term, TERMINATED,
};

use super::card::Card;
use super::search::FacetValue;
use super::{Fields, Index};
use crate::access::Reader;
use crate::check::{self, Targets};
use crate::error::Result;
use crate::note::links::{self, LinkKey};

/// Notes holding `text` in a keyword field (the read views' one term query).
pub(super) fn term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
}

/// Notes holding any of `texts` in a keyword field.
pub(super) fn any_term<'a>(field: tantivy::schema::Field, texts: impl IntoIterator<Item = &'a str>) -> BooleanQuery {
    BooleanQuery::new(texts.into_iter().map(|t| (Occur::Should, term(field, t))).collect())
}

/// Reads cards from the `card` column of each segment, opened once for many reads.
pub struct CardReader {
    columns: Vec<Option<tantivy::columnar::BytesColumn>>,
}

impl CardReader {
    pub fn new(searcher: &Searcher) -> Result<CardReader> {
        let columns = searcher
            .segment_readers()
            .iter()
            .map(|r| r.fast_fields().bytes("card"))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(CardReader { columns })
    }

    /// The card of a document (an empty one if it has none).
    pub fn get(&self, addr: DocAddress) -> Card {
        let Some(Some(column)) = self.columns.get(addr.segment_ord as usize) else {
            return Card::default();
        };
        let mut bytes = Vec::new();
        match column.term_ords(addr.doc_id).next() {
            Some(ord) if column.ord_to_bytes(ord, &mut bytes).unwrap_or(false) => {
                serde_json::from_slice(&bytes).unwrap_or_default()
            }
            _ => Card::default(),
        }
    }
}

/// Cards of every document matching `query`, up to `limit`, in index order.
pub fn cards(index: &Index, query: &dyn Query, limit: usize) -> Result<Vec<Card>> {
    let searcher = index.searcher();
    let docs = searcher.search(query, &FirstDocs(limit))?;
    let reader = CardReader::new(&searcher)?;
    Ok(docs.into_iter().map(|addr| reader.get(addr)).collect())
}

/// The first `limit` documents a query matches, in index order, unscored. Unlike `TopDocs`, whose
/// heap is sized by the limit, it holds only what it keeps: listings ask for "all of them" with a
/// limit of the index's size (after every commit, for the attachments).
struct FirstDocs(usize);

struct FirstSegmentDocs {
    segment: SegmentOrdinal,
    limit: usize,
    docs: Vec<DocAddress>,
}

impl Collector for FirstDocs {
    type Fruit = Vec<DocAddress>;
    type Child = FirstSegmentDocs;

    fn for_segment(&self, segment: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<FirstSegmentDocs> {
        Ok(FirstSegmentDocs { segment, limit: self.0, docs: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<DocAddress>>) -> tantivy::Result<Vec<DocAddress>> {
        let mut docs: Vec<DocAddress> = fruits.into_iter().flatten().collect();
        docs.sort_unstable();
        docs.truncate(self.0);
        Ok(docs)
    }
}

impl SegmentCollector for FirstSegmentDocs {
    type Fruit = Vec<DocAddress>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if self.docs.len() < self.limit {
            self.docs.push(DocAddress::new(self.segment, doc));
        }
    }

    fn harvest(self) -> Vec<DocAddress> {
        self.docs
    }
}

/// The card of the note `id`, when indexed and `visible`.
pub fn get(index: &Index, id: &str, visible: &dyn Query) -> Result<Option<Card>> {
    Ok(cards(index, within(term(index.fields().id, id), visible).as_ref(), 1)?.into_iter().next())
}

/// The id of the `visible` note a link key leads to, if any (the first by id when several share a
/// name).
pub fn resolve(index: &Index, key: &LinkKey, visible: &dyn Query) -> Result<Option<String>> {
    let name = match key {
        LinkKey::Path(p) | LinkKey::Name(p) => p,
        LinkKey::Outside(_) => return Ok(None),
    };
    let query = within(term(index.fields().names, name), visible);
    let mut found: Vec<String> = cards(index, query.as_ref(), 20)?.into_iter().map(|c| c.id).collect();
    found.sort();
    Ok(found.into_iter().next())
}

/// A note that links to another.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoteRef {
    pub id: String,
    pub title: String,
    pub kind: String,
}

/// The cards of the `visible` notes linking to `id` (itself aside), up to `limit`.
pub fn linking(index: &Index, id: &str, visible: &dyn Query, limit: usize) -> Result<Vec<Card>> {
    let terms = LinkKey::terms_for(&links::names(id));
    let query = any_term(index.fields().links, terms.iter().map(String::as_str));
    let mut out = cards(index, within(Box::new(query), visible).as_ref(), limit)?;
    out.retain(|c| c.id != id);
    Ok(out)
}

/// The `visible` notes linking to `id`.
pub fn backlinks(index: &Index, id: &str, visible: &dyn Query) -> Result<Vec<NoteRef>> {
    let mut out: Vec<NoteRef> = linking(index, id, visible, 500)?
        .into_iter()
        .map(|c| NoteRef { id: c.id, title: c.title, kind: c.kind })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Facet counts over the notes matching `query` under `parents` (each parent's children).
fn facet_children(
    searcher: &Searcher,
    field: &str,
    query: &dyn Query,
    parents: &[Facet],
) -> Result<BTreeMap<Facet, u64>> {
    let mut c = FacetCollector::for_field(field);
    for p in parents {
        c.add_facet(p.clone());
    }
    let counts = searcher.search(query, &c)?;
    let mut out = BTreeMap::new();
    for p in parents {
        for (facet, count) in counts.get(p.clone()) {
            out.insert(facet.clone(), count);
        }
    }
    Ok(out)
}

/// A node of the portfolio → program → project tree.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TreeNode {
    /// The name; empty for notes without a portfolio, program or project.
    pub name: String,
    pub count: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<TreeNode>,
}

/// The tree with note counts, each level sorted by name.
pub fn tree(index: &Index, query: &dyn Query) -> Result<Vec<TreeNode>> {
    let searcher = index.searcher();
    let field = "tree";
    let mut levels: Vec<BTreeMap<Facet, u64>> = Vec::new();
    let mut parents = vec![Facet::root()];
    for _ in 0..3 {
        let level = facet_children(&searcher, field, query, &parents)?;
        parents = level.keys().cloned().collect();
        levels.push(level);
    }
    fn build(levels: &[BTreeMap<Facet, u64>], depth: usize, parent: &Facet) -> Vec<TreeNode> {
        let Some(level) = levels.get(depth) else {
            return Vec::new();
        };
        level
            .iter()
            .filter(|(f, _)| parent.is_prefix_of(f))
            .map(|(f, count)| TreeNode {
                name: f.to_path().last().map(|s| s.to_string()).unwrap_or_default(),
                count: *count,
                children: build(levels, depth + 1, f),
            })
            .collect()
    }
    Ok(build(&levels, 0, &Facet::root()))
}

/// Facet values and counts of one field over the notes matching `query`.
pub fn facet(index: &Index, field: &str, query: &dyn Query) -> Result<Vec<FacetValue>> {
    let searcher = index.searcher();
    let children = facet_children(&searcher, field, query, &[Facet::root()])?;
    Ok(super::search::merge_spellings(
        children.into_iter().map(|(f, count)| (f.to_path().last().map(|s| s.to_string()).unwrap_or_default(), count)),
    ))
}

/// A person and what they know.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Expert {
    pub name: String,
    pub notes: u64,
    pub programs: Vec<FacetValue>,
    pub top_tags: Vec<FacetValue>,
}

/// The people who know the notes — named experts and commit authors alike — with their note
/// counts, programs and top tags, most prolific first.
pub fn experts(index: &Index, visible: &dyn Query) -> Result<Vec<Expert>> {
    let f = index.fields();
    let people = facet(index, "author_f", visible)?;
    let mut out = Vec::with_capacity(people.len());
    for person in people.into_iter().take(1000) {
        let mine = BooleanQuery::new(vec![
            (Occur::Must, visible.box_clone()),
            (Occur::Must, term(f.author_k, &crate::analysis::fold_key(&person.value))),
        ]);
        let mut top_tags = facet(index, "tag_f", &mine)?;
        top_tags.truncate(5);
        out.push(Expert {
            programs: facet(index, "program_f", &mine)?,
            top_tags,
            name: person.value,
            notes: person.count,
        });
    }
    Ok(out)
}

/// A problem of one note.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemNote {
    pub id: String,
    pub title: String,
    pub problems: Vec<check::Finding>,
}

/// The link terms (`p:`/`n:`/`o:` keys) that some `visible` note holds.
pub fn link_terms(index: &Index, visible: &dyn Query) -> Result<HashSet<String>> {
    terms_held(index, index.fields().links, visible)
}

/// The terms of `field` that some `visible` note holds, read from the term dictionary and its
/// postings: no stored document is opened, so this costs the same whatever the notes' length.
fn terms_held(index: &Index, field: tantivy::schema::Field, visible: &dyn Query) -> Result<HashSet<String>> {
    let searcher = index.searcher();
    let weight = visible.weight(EnableScoring::disabled_from_searcher(&searcher))?;
    let mut out = HashSet::default();
    for reader in searcher.segment_readers() {
        let mut seen = vec![false; reader.max_doc() as usize];
        let mut visible_docs = 0;
        let mut docs = weight.scorer(reader, 1.0)?;
        while docs.doc() != TERMINATED {
            let alive = !reader.is_deleted(docs.doc());
            seen[docs.doc() as usize] = alive;
            visible_docs += u32::from(alive);
            docs.advance();
        }
        // When every document of the segment is alive and visible, every term it holds counts.
        let all = !reader.has_deletes() && visible_docs == reader.max_doc();
        let inverted = reader.inverted_index(field)?;
        out.reserve(inverted.terms().num_terms());
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            let Ok(term) = std::str::from_utf8(terms.key()) else { continue };
            if out.contains(term) {
                continue;
            }
            if all {
                out.insert(term.to_string());
                continue;
            }
            let mut postings = inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
            while postings.doc() != TERMINATED {
                if seen[postings.doc() as usize] {
                    out.insert(term.to_string());
                    break;
                }
                postings.advance();
            }
        }
    }
    Ok(out)
}

/// The names some link in `linked` (from [`link_terms`]) leads to, by path or by name.
pub fn linked_names(linked: &HashSet<String>) -> HashSet<&str> {
    linked.iter().filter_map(|t| t.strip_prefix("p:").or_else(|| t.strip_prefix("n:"))).collect()
}

/// Whether a link leads to the note `id`, given the [`linked_names`].
pub fn is_linked(names: &HashSet<&str>, id: &str) -> bool {
    links::names(id).iter().any(|n| names.contains(n.as_str()))
}

/// Notes with invalid front matter, unreadable files or broken links. Only the notes that have a
/// problem are opened: the broken link keys are found in the term dictionary first.
pub fn problems(index: &Index, root: &std::path::Path, visible: &dyn Query) -> Result<Vec<ProblemNote>> {
    problems_given(index, root, visible, &link_terms(index, visible)?)
}

/// [`problems`], given the [`link_terms`] of `visible`.
pub fn problems_given(
    index: &Index,
    root: &std::path::Path,
    visible: &dyn Query,
    linked: &HashSet<String>,
) -> Result<Vec<ProblemNote>> {
    let f = index.fields();
    let searcher = index.searcher();
    // The names every indexed note answers to (hidden ones too: a link to them is not broken).
    let targets = Targets::from_names(root, terms_held(index, f.names, &AllQuery)?);
    let broken_terms: Vec<&String> =
        linked.iter().filter(|t| LinkKey::from_term(t).is_some_and(|k| !targets.resolves(&k))).collect();
    let mut suspects: Vec<(Occur, Box<dyn Query>)> =
        broken_terms.iter().map(|t| (Occur::Should, term(f.links, t))).collect();
    suspects.push((
        Occur::Should,
        Box::new(RangeQuery::new(
            std::ops::Bound::Included(Term::from_field_u64(f.problems, 1)),
            std::ops::Bound::Unbounded,
        )),
    ));
    let query = within(Box::new(BooleanQuery::new(suspects)), visible);
    let docs = searcher.search(query.as_ref(), &FirstDocs(usize::MAX))?;
    let cards = CardReader::new(&searcher)?;
    let mut out = Vec::new();
    for addr in docs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let broken: Vec<String> = doc
            .get_all(f.links)
            .filter_map(|v| v.as_str().and_then(LinkKey::from_term))
            .filter(|k| !targets.resolves(k))
            .map(|k| match k {
                LinkKey::Path(t) | LinkKey::Name(t) | LinkKey::Outside(t) => t,
            })
            .collect();
        // The problem count is indexed, not stored: the card carries the problems themselves.
        let card = cards.get(addr);
        if broken.is_empty() && card.problems.is_empty() {
            continue;
        }
        let mut findings: Vec<check::Finding> = card
            .problems
            .iter()
            .map(|p| check::Finding { id: card.id.clone(), line: p.line, message: p.message.clone() })
            .collect();
        if !broken.is_empty() {
            // The lines of broken links come from the note as it is on disk now.
            let parsed = std::fs::read(root.join(&card.id)).ok().map(|b| crate::note::parse(&card.id, &b));
            match parsed {
                Some(note) => findings.extend(check::broken_links(&note, &targets)),
                None => findings.extend(broken.iter().map(|k| check::Finding {
                    id: card.id.clone(),
                    line: 0,
                    message: format!("broken link: `{k}` leads to no note or file"),
                })),
            }
        }
        out.push(ProblemNote { id: card.id, title: card.title, problems: findings });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Counts for `/api/stats`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub notes: usize,
    pub with_problems: usize,
    pub by_kind: Vec<FacetValue>,
    pub by_program: Vec<FacetValue>,
    pub by_status: Vec<FacetValue>,
}

pub fn counts(index: &Index, visible: &dyn Query) -> Result<Counts> {
    let searcher = index.searcher();
    let f = index.fields();
    let problems = BooleanQuery::new(vec![
        (Occur::Must, visible.box_clone()),
        (
            Occur::Must,
            Box::new(RangeQuery::new(
                std::ops::Bound::Included(Term::from_field_u64(f.problems, 1)),
                std::ops::Bound::Unbounded,
            )),
        ),
    ]);
    Ok(Counts {
        notes: searcher.search(visible, &Count)?,
        with_problems: searcher.search(&problems, &Count)?,
        by_kind: facet(index, "kind_f", visible)?,
        by_program: facet(index, "program_f", visible)?,
        by_status: facet(index, "status_f", visible)?,
    })
}

/// The notes `reader` may see: every note without access control (or for an admin), else those
/// indexed with one of its grants. Every read takes this as a filter.
pub fn visible(f: &Fields, reader: &Reader) -> Box<dyn Query> {
    match reader.grants() {
        None => Box::new(AllQuery),
        Some(grants) => {
            Box::new(BooleanQuery::new(grants.iter().map(|g| (Occur::Should, term(f.access, g))).collect()))
        }
    }
}

/// `query`, narrowed to what `visible` lets through.
pub fn within(query: Box<dyn Query>, visible: &dyn Query) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![(Occur::Must, query), (Occur::Must, visible.box_clone())]))
}
