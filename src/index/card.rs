//! The card: a note's metadata as stored in the index and returned in search hits, in exactly the
//! shape of the API's hit (`id, title, kind, portfolio, program, project, experts, tags, date,
//! status, key`) plus what the other views need (summary, review date, problems).

use serde::{Deserialize, Serialize};

use crate::note::{Note, Problem};

/// What a hit shows of a note, stored as JSON in the index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Card {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub portfolio: Option<String>,
    pub program: Option<String>,
    pub project: Option<String>,
    pub experts: Vec<String>,
    pub tags: Vec<String>,
    /// `YYYY-MM-DD` (or RFC 3339 when the note gave a time).
    pub date: Option<String>,
    pub status: Option<String>,
    pub key: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audience: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// A date as the API shows it: the day when there is no time of day.
pub fn show_date(d: &crate::note::date::Instant) -> String {
    if d.time() == chrono::NaiveTime::MIN {
        d.format("%Y-%m-%d").to_string()
    } else {
        d.to_rfc3339()
    }
}

impl Card {
    pub fn of(note: &Note) -> Card {
        Card {
            id: note.id.clone(),
            title: note.title.clone(),
            kind: note.kind.clone(),
            portfolio: note.portfolio.clone(),
            program: note.program.clone(),
            project: note.project.clone(),
            experts: note.experts.clone(),
            tags: note.tags.clone(),
            date: note.date.as_ref().map(show_date),
            status: note.status.clone(),
            key: note.key,
            summary: note.summary.clone(),
            review_by: note.review_by.as_ref().map(show_date),
            visibility: note.visibility.clone(),
            audience: note.audience.clone(),
            problems: note.problems.clone(),
        }
    }
}
