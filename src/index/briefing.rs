//! What a decision-maker reads: a program's key documents with their review state, the notes
//! overdue for review (longest overdue first) and those due soon, and what changed lately, by
//! commit time (file time without git). Every view takes "now" from its caller, so the clock can
//! be injected.

use std::ops::Bound;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, Order, Term};

use super::browse::{self, term};
use super::card::Card;
use super::Index;
use crate::analysis::fold_key;
use crate::error::Result;

/// A review date this close (in days) is "due soon".
pub const DUE_SOON_DAYS: i64 = 30;
/// The most notes one of these views returns.
pub const MAX_NOTES: usize = 1000;

/// Where a note stands with its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Not due within [`DUE_SOON_DAYS`], or no review date.
    Ok,
    DueSoon,
    /// `review_by` has passed.
    Overdue,
}

/// A note with its review state.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reviewed {
    #[serde(flatten)]
    pub card: Card,
    pub review_state: ReviewState,
    /// Days since `review_by` passed (negative: days left); `null` without a review date.
    pub days_overdue: Option<i64>,
}

/// The state of a review date on `today`: overdue from the day after `review_by` (DESIGN: "after
/// this date the note is overdue"), due soon within [`DUE_SOON_DAYS`] of it.
pub fn review_state(review_by: Option<&str>, today: NaiveDate) -> (ReviewState, Option<i64>) {
    let Some(day) = review_by.and_then(|r| crate::note::date::parse(r).ok()).map(|d| d.date_naive()) else {
        return (ReviewState::Ok, None);
    };
    let late = (today - day).num_days();
    let state = match late {
        1.. => ReviewState::Overdue,
        l if -l <= DUE_SOON_DAYS => ReviewState::DueSoon,
        _ => ReviewState::Ok,
    };
    (state, Some(late))
}

fn reviewed(card: Card, today: NaiveDate) -> Reviewed {
    let (review_state, days_overdue) = review_state(card.review_by.as_deref(), today);
    Reviewed { card, review_state, days_overdue }
}

fn all_of(parts: Vec<Box<dyn Query>>) -> BooleanQuery {
    BooleanQuery::new(parts.into_iter().map(|q| (Occur::Must, q)).collect())
}

fn date_term(field: tantivy::schema::Field, t: DateTime<Utc>) -> Term {
    Term::from_field_date(field, tantivy::DateTime::from_timestamp_secs(t.timestamp()))
}

/// Filters of the decision-makers' views; values are matched as `field:value` is.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub program: Option<String>,
    pub kind: Option<String>,
    pub key: Option<bool>,
}

impl Scope {
    fn clauses(&self, index: &Index) -> Vec<Box<dyn Query>> {
        let f = index.fields();
        let mut out: Vec<Box<dyn Query>> = Vec::new();
        if let Some(p) = &self.program {
            out.push(term(f.program_k, &fold_key(p)));
        }
        if let Some(k) = &self.kind {
            out.push(term(f.kind_k, &fold_key(k)));
        }
        if let Some(key) = self.key {
            out.push(Box::new(TermQuery::new(Term::from_field_bool(f.key, key), IndexRecordOption::Basic)));
        }
        out
    }
}

/// Cards matching `query`, most recently changed first (by id among equals, so that every
/// server with the same notes answers in the same order, whatever its segments).
pub fn newest(index: &Index, query: &dyn Query, limit: usize) -> Result<Vec<Card>> {
    let searcher = index.searcher();
    let docs: Vec<(Option<tantivy::DateTime>, DocAddress)> = searcher
        .search(query, &TopDocs::with_limit(limit.clamp(1, MAX_NOTES)).order_by_fast_field("updated", Order::Desc))?;
    let cards = browse::CardReader::new(&searcher)?;
    let mut out = docs.into_iter().map(|(t, addr)| (t, cards.get(addr))).collect::<Vec<_>>();
    out.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    Ok(out.into_iter().map(|(_, c)| c).collect())
}

/// The key documents (of a program, or all), newest first by their date (else last change), each
/// with its review state.
pub fn key_documents(
    index: &Index,
    visible: &dyn Query,
    program: Option<&str>,
    today: NaiveDate,
) -> Result<Vec<Reviewed>> {
    let scope = Scope { program: program.map(str::to_string), key: Some(true), ..Scope::default() };
    let mut parts = scope.clauses(index);
    parts.push(visible.box_clone());
    let mut cards = browse::cards(index, &all_of(parts), MAX_NOTES)?;
    let newest =
        |c: &Card| c.date.clone().or_else(|| c.updated.clone()).and_then(|d| crate::note::date::parse(&d).ok());
    cards.sort_by(|a, b| newest(b).cmp(&newest(a)).then_with(|| a.id.cmp(&b.id)));
    Ok(cards.into_iter().map(|c| reviewed(c, today)).collect())
}

/// Notes whose review date has passed, longest overdue first, and those due within
/// [`DUE_SOON_DAYS`], soonest first.
pub fn reviews(index: &Index, visible: &dyn Query, today: NaiveDate) -> Result<(Vec<Reviewed>, Vec<Reviewed>)> {
    let f = index.fields();
    let horizon = today + chrono::Days::new(DUE_SOON_DAYS as u64 + 1);
    let until = horizon.and_hms_opt(0, 0, 0).map_or_else(Utc::now, |t| t.and_utc());
    let range = RangeQuery::new(Bound::Unbounded, Bound::Excluded(date_term(f.review_by, until)));
    let cards = browse::cards(index, &all_of(vec![visible.box_clone(), Box::new(range)]), MAX_NOTES * 10)?;
    let (mut overdue, mut soon): (Vec<Reviewed>, Vec<Reviewed>) =
        cards.into_iter().map(|c| reviewed(c, today)).partition(|r| r.review_state == ReviewState::Overdue);
    soon.retain(|r| r.review_state == ReviewState::DueSoon);
    let by_lateness =
        |a: &Reviewed, b: &Reviewed| b.days_overdue.cmp(&a.days_overdue).then_with(|| a.card.id.cmp(&b.card.id));
    overdue.sort_by(by_lateness);
    soon.sort_by(by_lateness);
    overdue.truncate(MAX_NOTES);
    soon.truncate(MAX_NOTES);
    Ok((overdue, soon))
}

/// Notes changed at or after `since`, most recent first.
pub fn recent(
    index: &Index,
    visible: &dyn Query,
    scope: &Scope,
    since: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<Card>> {
    let f = index.fields();
    let mut parts = scope.clauses(index);
    parts.push(visible.box_clone());
    parts.push(Box::new(RangeQuery::new(Bound::Included(date_term(f.updated, since)), Bound::Unbounded)));
    newest(index, &all_of(parts), limit)
}

/// The newest changes in a scope, whenever they happened (for feeds).
pub fn latest(index: &Index, visible: &dyn Query, scope: &Scope, limit: usize) -> Result<Vec<Card>> {
    let mut parts = scope.clauses(index);
    parts.push(visible.box_clone());
    newest(index, &all_of(parts), limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_states_by_day() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        let cases = [
            (None, ReviewState::Ok, None),
            (Some("2026-02-28"), ReviewState::Overdue, Some(1)),
            (Some("2025-03-01"), ReviewState::Overdue, Some(365)),
            (Some("2026-03-01"), ReviewState::DueSoon, Some(0)),
            (Some("2026-03-31"), ReviewState::DueSoon, Some(-30)),
            (Some("2026-04-01"), ReviewState::Ok, Some(-31)),
            (Some("1404-12-09"), ReviewState::Overdue, Some(1)), // Jalali for 2026-02-28
            (Some("not a date"), ReviewState::Ok, None),
        ];
        for (by, state, days) in cases {
            assert_eq!(review_state(by, today), (state, days), "{by:?}");
        }
    }
}
