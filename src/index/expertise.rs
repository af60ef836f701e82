//! The expert finder: who knows about a topic. The query runs as a search; each of the most relevant
//! notes credits the people who know it — its experts fully, its commit authors by half (editing a
//! note shows knowledge, being named its expert shows more) — with the note's relevance relative to
//! the best hit. A person's score is the sum over their notes, so several good notes beat one.

use std::collections::HashMap;

use serde::Serialize;

use super::search::{self, Request};
use super::Index;
use crate::access::Reader;
use crate::analysis::fold_key;
use crate::error::Result;

/// How much a commit author is credited, relative to a named expert.
pub const CONTRIBUTOR_CREDIT: f32 = 0.5;
/// Evidence notes listed per person.
pub const EVIDENCE: usize = 5;

/// How a person knows a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Named in the note's `experts`.
    Expert,
    /// Wrote commits to it.
    Contributor,
    Both,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Expert => "expert",
            Role::Contributor => "contributor",
            Role::Both => "expert and contributor",
        }
    }
}

/// A note that shows what a person knows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Evidence {
    pub id: String,
    pub title: String,
    /// The note's relevance relative to the best hit (0..=1).
    pub score: f32,
    pub role: Role,
}

/// A person ranked for a query.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Person {
    pub name: String,
    pub score: f32,
    /// Relevant notes they know.
    pub notes: usize,
    /// The best of those notes.
    pub evidence: Vec<Evidence>,
}

/// People ranked by the relevance of their notes to `q`, at most `limit`.
/// Only the notes `reader` may see count (and serve as evidence).
pub fn find(index: &Index, q: &str, limit: usize, reader: &Reader) -> Result<Vec<Person>> {
    let req = Request {
        q: q.to_string(),
        limit: search::MAX_LIMIT,
        facets: false,
        reader: reader.clone(),
        ..Request::default()
    };
    let res = search::search(index, &req)?;
    let top = res.hits.iter().map(|h| h.score).fold(0.0f32, f32::max);
    let mut people: HashMap<String, Person> = HashMap::new();
    for hit in &res.hits {
        let relevance = if top > 0.0 { hit.score / top } else { 1.0 };
        let mut roles: Vec<(String, &str, Role)> = Vec::new();
        for name in &hit.card.experts {
            roles.push((fold_key(name), name, Role::Expert));
        }
        for name in &hit.card.contributors {
            let key = fold_key(name);
            match roles.iter_mut().find(|(k, _, _)| *k == key) {
                Some(r) => r.2 = Role::Both,
                None => roles.push((key, name, Role::Contributor)),
            }
        }
        for (key, name, role) in roles {
            let credit = if role == Role::Contributor { CONTRIBUTOR_CREDIT } else { 1.0 };
            let person = people.entry(key).or_insert_with(|| Person {
                name: name.to_string(),
                score: 0.0,
                notes: 0,
                evidence: Vec::new(),
            });
            person.score += relevance * credit;
            person.notes += 1;
            person.evidence.push(Evidence {
                id: hit.card.id.clone(),
                title: hit.card.title.clone(),
                score: relevance,
                role,
            });
        }
    }
    let mut out: Vec<Person> = people.into_values().collect();
    for p in &mut out {
        p.score = (p.score * 1000.0).round() / 1000.0;
        p.evidence.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        p.evidence.truncate(EVIDENCE);
        for e in &mut p.evidence {
            e.score = (e.score * 1000.0).round() / 1000.0;
        }
    }
    out.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then_with(|| b.notes.cmp(&a.notes)).then_with(|| a.name.cmp(&b.name))
    });
    out.truncate(limit);
    Ok(out)
}
