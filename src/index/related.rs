//! Related notes: more-like-this over the note's text, plus notes sharing its tags, notes known by
//! the same people (experts or commit authors; weighed lightly: a prolific author knows many
//! unrelated things), and the notes that link to it. Each related note says why it is related.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, MoreLikeThisQuery, Query};
use tantivy::DocAddress;

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
    let found = searcher
        .search(browse::within(browse::term(f.id, id), visible).as_ref(), &TopDocs::with_limit(1).order_by_score())?;
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
    // Notes sharing its tags, and notes known by the same people, each adding a bonus and a reason.
    let mut bonus = |query: BooleanQuery, add: f32, reason: &str| -> Result<()> {
        let docs = searcher.search(
            browse::within(Box::new(query), visible).as_ref(),
            &TopDocs::with_limit(limit * 2).order_by_score(),
        )?;
        for (_, doc) in docs {
            let e = scored.entry(doc).or_default();
            e.0 += add;
            e.1.push(reason.into());
        }
        Ok(())
    };
    let tags: Vec<String> = me.tags.iter().map(|t| fold_key(t)).collect();
    if !tags.is_empty() {
        bonus(browse::any_term(f.tag_k, tags.iter().map(String::as_str)), 0.5, "shared tags")?;
    }
    let people: Vec<String> = me.experts.iter().chain(&me.contributors).map(|p| fold_key(p)).take(MAX_PEOPLE).collect();
    if !people.is_empty() {
        bonus(browse::any_term(f.author_k, people.iter().map(String::as_str)), SAME_PEOPLE, "same people")?;
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
