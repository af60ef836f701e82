//! Related notes: more-like-this over the note's text, plus notes sharing its tags, notes known by
//! the same people (experts or commit authors; weighed lightly: a prolific author knows many
//! unrelated things), and the notes that link to it. Each related note says why it is related.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Term};

use super::browse;
use super::card::Card;
use super::Index;
use crate::analysis::fold_key;
use crate::error::Result;

/// What knowing the same people adds to a note's score (shared tags add 0.5, a link 0.7).
const SAME_PEOPLE: f32 = 0.3;
/// People of a note considered.
const MAX_PEOPLE: usize = 10;

/// A related note, its score and the reasons.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Related {
    #[serde(flatten)]
    pub card: Card,
    pub score: f32,
    pub reasons: Vec<String>,
}

/// Up to `limit` notes related to `id`; `None` when `id` is not indexed.
/// Only `visible` notes are considered, the note itself included.
pub fn related(index: &Index, id: &str, limit: usize, visible: &dyn Query) -> Result<Option<Vec<Related>>> {
    let f = index.fields();
    let searcher = index.searcher();
    let me_query = Box::new(TermQuery::new(Term::from_field_text(f.id, id), IndexRecordOption::Basic));
    let found =
        searcher.search(browse::within(me_query, visible).as_ref(), &TopDocs::with_limit(1).order_by_score())?;
    let Some((_, addr)) = found.into_iter().next() else {
        return Ok(None);
    };
    let cards = browse::CardReader::new(&searcher)?;
    let me = cards.get(addr);
    let mut scored: HashMap<DocAddress, (f32, Vec<String>)> = HashMap::new();

    let mlt = MoreLikeThisQuery::builder()
        .with_min_doc_frequency(1)
        .with_max_doc_frequency((searcher.num_docs().max(2) / 2).max(2))
        .with_min_term_frequency(2)
        .with_max_query_terms(25)
        .with_min_word_length(3)
        .with_document(addr);
    let hits = searcher.search(
        browse::within(Box::new(mlt), visible).as_ref(),
        &TopDocs::with_limit(limit * 2 + 1).order_by_score(),
    )?;
    let top = hits.first().map_or(1.0, |h| h.0.max(f32::EPSILON));
    for (score, doc) in hits {
        let e = scored.entry(doc).or_default();
        e.0 += score / top;
        e.1.push("similar text".into());
    }
    if !me.tags.is_empty() {
        let q: Vec<(Occur, Box<dyn Query>)> = me
            .tags
            .iter()
            .map(|t| {
                let q: Box<dyn Query> =
                    Box::new(TermQuery::new(Term::from_field_text(f.tag_k, &fold_key(t)), IndexRecordOption::Basic));
                (Occur::Should, q)
            })
            .collect();
        for (_, doc) in searcher.search(
            browse::within(Box::new(BooleanQuery::new(q)), visible).as_ref(),
            &TopDocs::with_limit(limit * 2).order_by_score(),
        )? {
            let e = scored.entry(doc).or_default();
            e.0 += 0.5;
            e.1.push("shared tags".into());
        }
    }
    let people: Vec<String> = me.experts.iter().chain(&me.contributors).map(|p| fold_key(p)).take(MAX_PEOPLE).collect();
    if !people.is_empty() {
        let q: Vec<(Occur, Box<dyn Query>)> = people
            .iter()
            .map(|p| {
                let q: Box<dyn Query> =
                    Box::new(TermQuery::new(Term::from_field_text(f.author_k, p), IndexRecordOption::Basic));
                (Occur::Should, q)
            })
            .collect();
        for (_, doc) in searcher.search(
            browse::within(Box::new(BooleanQuery::new(q)), visible).as_ref(),
            &TopDocs::with_limit(limit * 2).order_by_score(),
        )? {
            let e = scored.entry(doc).or_default();
            e.0 += SAME_PEOPLE;
            e.1.push("same people".into());
        }
    }
    let mut out: Vec<Related> = Vec::new();
    for (doc, (score, reasons)) in scored {
        if doc == addr {
            continue;
        }
        out.push(Related { card: cards.get(doc), score, reasons });
    }
    for b in browse::backlinks(index, id, visible)? {
        match out.iter_mut().find(|r| r.card.id == b.id) {
            Some(r) => {
                r.score += 0.7;
                r.reasons.push("links here".into());
            }
            None => {
                if let Some(card) = browse::get(index, &b.id, visible)? {
                    out.push(Related { card, score: 0.7, reasons: vec!["links here".into()] });
                }
            }
        }
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.card.id.cmp(&b.card.id)));
    out.truncate(limit);
    for r in &mut out {
        r.card.problems.clear();
        r.reasons.dedup();
    }
    Ok(Some(out))
}
