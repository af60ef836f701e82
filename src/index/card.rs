//! The card: a note's metadata as stored in the index and returned in search hits, in exactly the
//! shape of the API's hit (`id, title, kind, portfolio, program, project, experts, tags, date,
//! status, key, updated`) plus what the other views need (summary, review date, problems, history).

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
    /// When the note last changed: its last commit, or its file's modification time without git
    /// (RFC 3339, UTC).
    #[serde(default)]
    pub updated: Option<String>,
    /// Its first commit (RFC 3339, UTC); `null` without git history.
    #[serde(default)]
    pub created: Option<String>,
    /// The authors of its commits, most commits first.
    #[serde(default)]
    pub contributors: Vec<String>,
}

/// What the git history (or, without it, the file) says about a note.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Unix seconds of the last change: the last commit, else the file's modification time.
    pub updated: Option<i64>,
    /// Unix seconds of the first commit.
    pub created: Option<i64>,
    pub contributors: Vec<String>,
    /// A digest of the note's commits (0 without any): when it differs from the index's, the note
    /// is indexed again even if its file did not change.
    pub digest: u64,
}

/// Unix seconds as the API shows a moment: RFC 3339 in UTC.
pub fn show_time(secs: i64) -> Option<String> {
    chrono::DateTime::from_timestamp(secs, 0).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
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
            updated: None,
            created: None,
            contributors: Vec::new(),
        }
    }

    /// The card of a note with what its history says.
    pub fn with_changes(note: &Note, changes: &Changes) -> Card {
        Card {
            updated: changes.updated.and_then(show_time),
            created: changes.created.and_then(show_time),
            contributors: changes.contributors.clone(),
            ..Card::of(note)
        }
    }
}
