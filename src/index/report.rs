//! The PMIS report of a program (or of everything): counts by kind and status per program and
//! project, knowledge growth per month (by commit time; file time without git), coverage gaps,
//! review health, contributions per person and link health. One [`Report`] value, rendered as
//! JSON, CSV (one long table for spreadsheets) or Markdown (to paste into a status document).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::Serialize;
use tantivy::query::{BooleanQuery, Occur, Query};

use super::browse::{self, term};
use super::card::Card;
use super::Index;
use crate::analysis::fold_key;
use crate::error::Result;
use crate::git::history::History;
use crate::note::date::Instant as Day;

/// The most notes a report lists by name in each list (overdue, due, orphans); the counts cover
/// them all. At 100k notes the full lists would be megabytes no one reads.
pub const MAX_LISTED: usize = 500;

/// The kinds every program is expected to hold; a program without one has a coverage gap.
pub const EXPECTED_KINDS: &[&str] = &["lesson", "decision", "risk", "report"];

/// Which part of the knowledge base, and which period, a report covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scope {
    pub program: Option<String>,
    pub project: Option<String>,
    /// Growth and contributions count changes from this day on.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Counts by kind and by status.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Counts {
    pub notes: usize,
    pub key: usize,
    pub by_kind: BTreeMap<String, usize>,
    pub by_status: BTreeMap<String, usize>,
}

impl Counts {
    fn add(&mut self, c: &Card) {
        self.notes += 1;
        self.key += usize::from(c.key);
        *self.by_kind.entry(c.kind.clone()).or_default() += 1;
        *self.by_status.entry(c.status.clone().unwrap_or_else(|| "none".into())).or_default() += 1;
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProjectReport {
    pub project: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgramReport {
    pub program: String,
    #[serde(flatten)]
    pub counts: Counts,
    pub projects: Vec<ProjectReport>,
    /// Expected kinds ([`EXPECTED_KINDS`]) this program has no note of.
    pub missing_kinds: Vec<String>,
    /// Projects without a single lesson learned.
    pub projects_without_lessons: Vec<String>,
}

/// Notes added and changed in one month.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    pub added: usize,
    pub changed: usize,
}

/// A note in a review list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    pub id: String,
    pub title: String,
    pub program: Option<String>,
    pub review_by: String,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ReviewHealth {
    pub overdue: usize,
    pub due_within_30_days: usize,
    pub ok: usize,
    /// Notes with no `review_by`.
    pub unscheduled: usize,
    /// The longest overdue first, at most [`MAX_LISTED`].
    pub overdue_notes: Vec<ReviewItem>,
    /// The soonest due first, at most [`MAX_LISTED`].
    pub due_notes: Vec<ReviewItem>,
}

/// What one person contributed.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Contribution {
    pub person: String,
    /// Notes naming them as an expert.
    pub notes_as_expert: usize,
    /// Commits they authored on notes in scope (in the period).
    pub commits: usize,
}

/// A note nothing links to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Orphan {
    pub id: String,
    pub title: String,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct LinkHealth {
    /// The first [`MAX_LISTED`] by id.
    pub orphans: Vec<Orphan>,
    /// How many notes nothing links to.
    pub orphans_total: usize,
    pub broken_links: usize,
    pub notes_with_broken_links: usize,
}

/// The whole report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Report {
    #[schema(value_type = Object)]
    pub scope: Scope,
    pub generated: String,
    pub totals: Counts,
    pub programs: Vec<ProgramReport>,
    pub growth: Vec<Month>,
    pub review: ReviewHealth,
    pub contributions: Vec<Contribution>,
    pub links: LinkHealth,
}

fn month(secs: i64) -> Option<String> {
    use chrono::Datelike;
    DateTime::from_timestamp(secs, 0).map(|d| format!("{:04}-{:02}", d.year(), d.month()))
}

fn in_period(secs: i64, from: Option<&Day>, to: Option<&Day>) -> bool {
    from.is_none_or(|f| secs >= f.timestamp()) && to.is_none_or(|t| secs < t.timestamp() + 86_400)
}

/// Builds the report for `scope` over the notes `visible`, with growth and contributions counted
/// from `from` to `to`, as of `now`. `history` gives commit times and authors; without it, file
/// times stand in.
pub fn build(
    index: &Index,
    root: &std::path::Path,
    history: Option<&History>,
    scope: &Scope,
    (from, to): (Option<&Day>, Option<&Day>),
    now: DateTime<Utc>,
    visible: &dyn Query,
) -> Result<Report> {
    let f = index.fields();
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, visible.box_clone())];
    if let Some(p) = &scope.program {
        clauses.push((Occur::Must, term(f.program_k, &fold_key(p))));
    }
    if let Some(p) = &scope.project {
        clauses.push((Occur::Must, term(f.project_k, &fold_key(p))));
    }
    let query = BooleanQuery::new(clauses);
    // The link terms and problems come from the term dictionary, the cards from their column:
    // independent work, done side by side (a report at 100k notes must stay under a second).
    let (cards, linked_and_problems) = std::thread::scope(|s| {
        let links = s.spawn(|| -> Result<_> {
            let linked = browse::link_terms(index, visible)?;
            let problems = browse::problems_given(index, root, visible, &linked)?;
            Ok((linked, problems))
        });
        let cards = browse::cards(index, &query, index.searcher().num_docs() as usize);
        let links = links.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (cards, links)
    });
    let cards = cards?;
    let (linked, problems) = linked_and_problems?;

    let mut totals = Counts::default();
    let mut programs: BTreeMap<String, (Counts, BTreeMap<String, Counts>)> = BTreeMap::new();
    for c in &cards {
        totals.add(c);
        let program = c.program.clone().unwrap_or_default();
        let entry = programs.entry(program).or_default();
        entry.0.add(c);
        if let Some(project) = &c.project {
            entry.1.entry(project.clone()).or_default().add(c);
        }
    }
    let programs = programs
        .into_iter()
        .map(|(program, (counts, projects))| ProgramReport {
            missing_kinds: EXPECTED_KINDS
                .iter()
                .filter(|k| !counts.by_kind.contains_key(**k))
                .map(|k| k.to_string())
                .collect(),
            projects_without_lessons: projects
                .iter()
                .filter(|(_, c)| !c.by_kind.contains_key("lesson"))
                .map(|(p, _)| p.clone())
                .collect(),
            projects: projects.into_iter().map(|(project, counts)| ProjectReport { project, counts }).collect(),
            program,
            counts,
        })
        .collect();

    // Growth and contributions: each commit on a note in scope, or its file time without git.
    let mut growth: BTreeMap<String, Month> = BTreeMap::new();
    let mut people: BTreeMap<String, Contribution> = BTreeMap::new();
    for c in &cards {
        for e in &c.experts {
            people
                .entry(e.clone())
                .or_insert_with(|| Contribution { person: e.clone(), ..Default::default() })
                .notes_as_expert += 1;
        }
        let commits = history.map(|h| h.of(&c.id)).unwrap_or_default();
        if commits.is_empty() {
            let secs = c.updated.as_deref().and_then(|u| DateTime::parse_from_rfc3339(u).ok()).map(|d| d.timestamp());
            if let Some(secs) = secs.filter(|s| in_period(*s, from, to)) {
                if let Some(m) = month(secs) {
                    growth.entry(m.clone()).or_insert_with(|| Month { month: m, ..Default::default() }).added += 1;
                }
            }
            continue;
        }
        // Commits come newest first: the last one added the note.
        let oldest = commits.len() - 1;
        for (i, commit) in commits.iter().enumerate() {
            if !in_period(commit.committed, from, to) {
                continue;
            }
            if let Some(m) = month(commit.committed) {
                let slot = growth.entry(m.clone()).or_insert_with(|| Month { month: m, ..Default::default() });
                if i == oldest {
                    slot.added += 1;
                } else {
                    slot.changed += 1;
                }
            }
            people
                .entry(commit.author.clone())
                .or_insert_with(|| Contribution { person: commit.author.clone(), ..Default::default() })
                .commits += 1;
        }
    }
    let mut contributions: Vec<Contribution> = people.into_values().collect();
    contributions.sort_by(|a, b| {
        (b.commits + b.notes_as_expert).cmp(&(a.commits + a.notes_as_expert)).then_with(|| a.person.cmp(&b.person))
    });

    let review = review_health(&cards, now);
    let links = link_health(&cards, problems, &linked);
    Ok(Report {
        scope: scope.clone(),
        generated: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        totals,
        programs,
        growth: growth.into_values().collect(),
        review,
        contributions,
        links,
    })
}

fn review_health(cards: &[Card], now: DateTime<Utc>) -> ReviewHealth {
    let mut r = ReviewHealth::default();
    let soon = now + chrono::Duration::days(30);
    // Notes share review days: each distinct spelling is parsed once (Jalali included).
    let mut parsed: std::collections::HashMap<&str, Option<Day>> = std::collections::HashMap::new();
    for c in cards {
        let Some(raw) = &c.review_by else {
            r.unscheduled += 1;
            continue;
        };
        let Some(day) = *parsed.entry(raw.as_str()).or_insert_with(|| crate::note::date::parse(raw).ok()) else {
            r.unscheduled += 1;
            continue;
        };
        let item = || ReviewItem {
            id: c.id.clone(),
            title: c.title.clone(),
            program: c.program.clone(),
            review_by: raw.clone(),
        };
        if day < now {
            r.overdue += 1;
            r.overdue_notes.push(item());
        } else if day <= soon {
            r.due_within_30_days += 1;
            r.due_notes.push(item());
        } else {
            r.ok += 1;
        }
    }
    r.overdue_notes.sort_by(|a, b| a.review_by.cmp(&b.review_by));
    r.due_notes.sort_by(|a, b| a.review_by.cmp(&b.review_by));
    r.overdue_notes.truncate(MAX_LISTED);
    r.due_notes.truncate(MAX_LISTED);
    r
}

fn link_health(
    cards: &[Card],
    problems: Vec<browse::ProblemNote>,
    linked: &rustc_hash::FxHashSet<String>,
) -> LinkHealth {
    let mut h = LinkHealth::default();
    let in_scope: rustc_hash::FxHashSet<&str> = cards.iter().map(|c| c.id.as_str()).collect();
    for problem in problems {
        if !in_scope.contains(problem.id.as_str()) {
            continue;
        }
        let broken = problem.problems.iter().filter(|p| p.message.starts_with("broken link")).count();
        if broken > 0 {
            h.broken_links += broken;
            h.notes_with_broken_links += 1;
        }
    }
    // Not a backlinks query per note (100,000 of them at 100k notes): a look-up in the link terms.
    let names = browse::linked_names(linked);
    for c in cards.iter().filter(|c| c.kind != "attachment") {
        if !browse::is_linked(&names, &c.id) {
            h.orphans_total += 1;
            h.orphans.push(Orphan { id: c.id.clone(), title: c.title.clone() });
        }
    }
    h.orphans.sort_by(|a, b| a.id.cmp(&b.id));
    h.orphans.truncate(MAX_LISTED);
    h
}

impl Report {
    /// The report as one long table: `table, program, project, item, value`.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut row = |table: &str, program: &str, project: &str, item: &str, value: String| {
            let _ = w.write_record([table, program, project, item, value.as_str()]);
        };
        row("table", "program", "project", "item", "value".into());
        for p in &self.programs {
            for (k, n) in &p.counts.by_kind {
                row("kind", &p.program, "", k, n.to_string());
            }
            for (s, n) in &p.counts.by_status {
                row("status", &p.program, "", s, n.to_string());
            }
            for pr in &p.projects {
                row("project_notes", &p.program, &pr.project, "notes", pr.counts.notes.to_string());
                for (k, n) in &pr.counts.by_kind {
                    row("project_kind", &p.program, &pr.project, k, n.to_string());
                }
            }
            for k in &p.missing_kinds {
                row("missing_kind", &p.program, "", k, "0".into());
            }
            for pr in &p.projects_without_lessons {
                row("project_without_lessons", &p.program, pr, "lesson", "0".into());
            }
        }
        for m in &self.growth {
            row("growth_added", "", "", &m.month, m.added.to_string());
            row("growth_changed", "", "", &m.month, m.changed.to_string());
        }
        row("review", "", "", "overdue", self.review.overdue.to_string());
        row("review", "", "", "due_within_30_days", self.review.due_within_30_days.to_string());
        row("review", "", "", "ok", self.review.ok.to_string());
        row("review", "", "", "unscheduled", self.review.unscheduled.to_string());
        for n in &self.review.overdue_notes {
            row("overdue_note", n.program.as_deref().unwrap_or(""), "", &n.id, n.review_by.clone());
        }
        for c in &self.contributions {
            row("contribution_notes_as_expert", "", "", &c.person, c.notes_as_expert.to_string());
            row("contribution_commits", "", "", &c.person, c.commits.to_string());
        }
        row("links", "", "", "orphans", self.links.orphans_total.to_string());
        row("links", "", "", "broken_links", self.links.broken_links.to_string());
        for o in &self.links.orphans {
            row("orphan", "", "", &o.id, o.title.clone());
        }
        String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
    }

    /// The report in Markdown, ready to paste into a status document.
    pub fn to_markdown(&self) -> String {
        let mut md = String::new();
        let scope = match (&self.scope.program, &self.scope.project) {
            (Some(p), Some(j)) => format!("{p} / {j}"),
            (Some(p), None) => p.clone(),
            _ => "all programs".into(),
        };
        md.push_str(&format!("# Knowledge report: {scope}\n\nGenerated {}.\n\n", self.generated));
        md.push_str(&format!(
            "{} notes, {} key documents; {} overdue for review, {} due within 30 days.\n\n",
            self.totals.notes, self.totals.key, self.review.overdue, self.review.due_within_30_days
        ));
        md.push_str("## Notes by program and kind\n\n| program | project | notes | ");
        let kinds: BTreeSet<&String> = self.totals.by_kind.keys().collect();
        md.push_str(&kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(" | "));
        md.push_str(" |\n|---|---|---:|");
        md.push_str(&"---:|".repeat(kinds.len()));
        md.push('\n');
        let cells = |c: &Counts| {
            kinds.iter().map(|k| c.by_kind.get(*k).copied().unwrap_or(0).to_string()).collect::<Vec<_>>().join(" | ")
        };
        for p in &self.programs {
            md.push_str(&format!("| **{}** | | {} | {} |\n", cell(&p.program), p.counts.notes, cells(&p.counts)));
            for pr in &p.projects {
                md.push_str(&format!("| | {} | {} | {} |\n", cell(&pr.project), pr.counts.notes, cells(&pr.counts)));
            }
        }
        md.push_str("\n## Coverage\n\n| program | missing kinds | projects without lessons |\n|---|---|---|\n");
        for p in &self.programs {
            md.push_str(&format!(
                "| {} | {} | {} |\n",
                cell(&p.program),
                cell(&p.missing_kinds.join(", ")),
                cell(&p.projects_without_lessons.join(", "))
            ));
        }
        md.push_str("\n## Growth\n\n| month | added | changed |\n|---|---:|---:|\n");
        for m in &self.growth {
            md.push_str(&format!("| {} | {} | {} |\n", m.month, m.added, m.changed));
        }
        md.push_str("\n## Review health\n\n| state | notes |\n|---|---:|\n");
        md.push_str(&format!(
            "| overdue | {} |\n| due within 30 days | {} |\n| ok | {} |\n| unscheduled | {} |\n",
            self.review.overdue, self.review.due_within_30_days, self.review.ok, self.review.unscheduled
        ));
        if !self.review.overdue_notes.is_empty() {
            md.push_str("\nOverdue:\n\n| note | review by |\n|---|---|\n");
            for n in &self.review.overdue_notes {
                md.push_str(&format!("| {} | {} |\n", cell(&n.title), n.review_by));
            }
        }
        md.push_str("\n## Contributions\n\n| person | notes as expert | commits |\n|---|---:|---:|\n");
        for c in &self.contributions {
            md.push_str(&format!("| {} | {} | {} |\n", cell(&c.person), c.notes_as_expert, c.commits));
        }
        md.push_str(&format!(
            "\n## Link health\n\n{} broken links in {} notes; {} notes nothing links to.\n",
            self.links.broken_links, self.links.notes_with_broken_links, self.links.orphans_total
        ));
        md
    }
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
