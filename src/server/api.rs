//! The JSON API handlers. Each parses its parameters strictly, does its index work on the blocking
//! pool, and answers the shapes documented in the OpenAPI document (`/api/openapi.json`).

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use tantivy::query::Query;
use utoipa::ToSchema;

use super::error::{ApiError, ApiResult};
use super::params::Params;
use super::state::{AppState, Shared};
use crate::access::Reader;
use crate::git::history::Commit;
use crate::git::remote::PullStatus;
use crate::index::briefing::{self, Reviewed, Scope};
use crate::index::browse::{self, Counts, NoteRef, ProblemNote, TreeNode};
use crate::index::card::Card;
use crate::index::expertise::{self, Person};
use crate::index::search::{self, Filters, Request, Sort};
use crate::indexer::SyncReport;
use crate::note::{self, links::LinkKey, Heading, Problem};

/// The longest a read waits for changes already on disk to be indexed.
pub const FRESHNESS_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// `GET /api/search`.
#[utoipa::path(get, path = "/api/search", tag = "search",
    params(
        ("q" = Option<String>, Query, description = "Words, \"phrases\", -word, field:value (program, project, expert, kind, tag, status, title, meta.<key>), OR, ( )"),
        ("program" = Option<Vec<String>>, Query, description = "Repeat for OR within the field"),
        ("project" = Option<Vec<String>>, Query), ("expert" = Option<Vec<String>>, Query),
        ("kind" = Option<Vec<String>>, Query), ("tag" = Option<Vec<String>>, Query),
        ("status" = Option<Vec<String>>, Query), ("key" = Option<bool>, Query),
        ("from" = Option<String>, Query, description = "YYYY-MM-DD or Jalali"), ("to" = Option<String>, Query),
        ("sort" = Option<String>, Query, description = "relevance (default) or date"),
        ("match" = Option<String>, Query, description = "all: only notes with every word"),
        ("prefix" = Option<bool>, Query, description = "last word as a prefix (search as you type)"),
        ("recency" = Option<bool>, Query, description = "favour recent notes (a bonus halving every 180 days)"),
        ("limit" = Option<usize>, Query, description = "1..=100, default 20"),
        ("offset" = Option<usize>, Query, description = "0..=10000"),
    ),
    responses((status = 200, body = search::Response), (status = 400, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    reader: Reader,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<search::Response>> {
    let p = Params::parse(raw.as_deref())?;
    state.status.fresh(FRESHNESS_WAIT).await;
    let sort = match p.one("sort") {
        None | Some("relevance") => Sort::Relevance,
        Some("date") => Sort::Date,
        Some(other) => {
            return Err(ApiError::bad_request("bad_sort", format!("unknown sort `{other}`: use relevance or date")))
        }
    };
    let match_all = match p.one("match") {
        None | Some("any") | Some("most") => false,
        Some("all") => true,
        Some(other) => return Err(ApiError::bad_request("bad_parameter", format!("unknown match `{other}`: use all"))),
    };
    let q = p.one("q").unwrap_or("").to_string();
    if q.chars().count() > crate::index::query::MAX_QUERY_CHARS {
        return Err(ApiError::bad_request("query_too_long", "q is longer than 1000 characters"));
    }
    let req = Request {
        q,
        filters: Filters {
            program: p.all("program"),
            project: p.all("project"),
            expert: p.all("expert"),
            kind: p.all("kind"),
            tag: p.all("tag"),
            status: p.all("status"),
            key: p.bool("key")?,
            from: p.date("from")?,
            to: p.date("to")?,
        },
        sort,
        match_all,
        prefix: p.bool("prefix")?.unwrap_or(false),
        limit: p.number("limit", 20, search::MAX_LIMIT)?,
        offset: p.number("offset", 0, search::MAX_OFFSET)?,
        facets: true,
        recency: p.bool("recency")?.unwrap_or(false),
        typos: state.config.typos,
        reader,
    };
    let res = state.blocking(move |s| Ok(search::search(&s.index, &req)?)).await?;
    Ok(Json(res))
}

/// A link of a note, resolved.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkView {
    pub target: String,
    pub label: String,
    pub line: usize,
    /// The note it leads to, when it leads to one.
    pub id: Option<String>,
    pub broken: bool,
}

/// `GET /api/notes/{id}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteView {
    #[serde(flatten)]
    pub card: Card,
    pub meta: BTreeMap<String, Vec<String>>,
    pub markdown: String,
    pub html: String,
    pub headings: Vec<Heading>,
    pub links: Vec<LinkView>,
    pub backlinks: Vec<NoteRef>,
    /// The PDF and DOCX documents it links to (open them at `/raw/{id}`).
    pub attachments: Vec<NoteRef>,
    pub problems: Vec<Problem>,
    pub size: u64,
    /// Last modification of the file (RFC 3339).
    pub modified: Option<String>,
    /// Its commits, newest first (at most [`HISTORY_SHOWN`]; empty without git).
    pub history: Vec<Commit>,
    /// How many commits it has in all.
    pub history_total: usize,
}

/// The most commits a note view lists.
pub const HISTORY_SHOWN: usize = 100;

/// The JSON error shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

/// Decodes an id from a path (axum has already percent-decoded it once; `%2F` may remain).
fn id_from_path(raw: &str) -> ApiResult<String> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| ApiError::bad_request("bad_encoding", "the note id is not valid UTF-8"))?;
    let id = decoded.trim_start_matches('/').to_string();
    crate::vault::path::vet(&id)?;
    Ok(id)
}

/// `GET /api/notes/{id}` and `GET /api/notes/{id}/related`.
#[utoipa::path(get, path = "/api/notes/{id}", tag = "notes",
    params(("id" = String, Path, description = "The note's path relative to the root (percent-encoded)")),
    responses((status = 200, body = NoteView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn note(State(state): State<AppState>, reader: Reader, Path(raw): Path<String>) -> ApiResult<Response> {
    if let Some(id) = raw.strip_suffix("/related") {
        let id = id_from_path(id)?;
        return Ok(state.blocking(move |s| related_of(s, &id, &reader)).await?.into_response());
    }
    let id = id_from_path(&raw)?;
    state.status.fresh(FRESHNESS_WAIT).await;
    Ok(state.blocking(move |s| note_view(s, &id, &reader)).await?.into_response())
}

/// Reads, parses and renders a note from disk (the source of truth), with its backlinks. A note
/// the reader may not see is answered like a missing one.
fn note_view(s: &Shared, id: &str, reader: &Reader) -> ApiResult<Json<NoteView>> {
    if crate::vault::file_kind(id) != Some(crate::vault::FileKind::Note) {
        return Err(ApiError::not_found(format!("`{id}` is not a note; files are served at /raw/{id}")));
    }
    let path = s.vault.resolve(id).map_err(|e| match e {
        crate::vault::PathError::NotFound => ApiError::not_found(format!("no note `{id}`")),
        other => other.into(),
    })?;
    let meta = std::fs::metadata(&path).map_err(|_| ApiError::not_found(format!("no note `{id}`")))?;
    let entry = s.vault.entry(&path).ok_or_else(|| ApiError::not_found(format!("no note `{id}`")))?;
    let (parsed, _) = crate::index::sync::load(&s.vault, &entry);
    if !reader.may_read_note(parsed.visibility.as_deref(), &parsed.audience, id) {
        return Err(ApiError::not_found(format!("no note `{id}`")));
    }
    let visible = browse::visible(s.index.fields(), reader);
    let resolve = |k: &LinkKey| browse::resolve(&s.index, k, visible.as_ref()).ok().flatten();
    let html = note::render::render(&parsed, &resolve);
    let names: std::collections::HashSet<String> = std::collections::HashSet::new();
    let targets = crate::check::Targets::from_names(s.vault.root(), names);
    let mut problems = parsed.problems.clone();
    let links: Vec<LinkView> = parsed
        .links
        .iter()
        .map(|l| {
            let target_id = l.key.as_ref().and_then(&resolve);
            let broken = l.key.as_ref().is_some_and(|k| target_id.is_none() && !targets.resolves(k));
            if broken {
                problems.push(Problem {
                    line: l.line,
                    message: format!("broken link: `{}` leads to no note or file", l.target),
                });
            }
            LinkView { target: l.target.clone(), label: l.label.clone(), line: l.line, id: target_id, broken }
        })
        .collect();
    let attachments = attachments_of(s, &links, visible.as_ref())?;
    let mut metadata: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in &parsed.meta {
        metadata.entry(k.clone()).or_default().push(v.clone());
    }
    let modified = meta.modified().ok().map(|t| chrono::DateTime::<chrono::Utc>::from(t).to_rfc3339());
    let (changes, history, history_total) = {
        // A writer that panicked mid-update leaves the history as it was: still worth showing.
        let h = s.history.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let commits = h.of(id);
        let shown = commits.iter().take(HISTORY_SHOWN).map(|c| c.as_ref().clone()).collect();
        (h.changes(id, entry.mtime), shown, commits.len())
    };
    Ok(Json(NoteView {
        card: Card { problems: Vec::new(), ..Card::with_changes(&parsed, &changes) },
        meta: metadata,
        html,
        headings: parsed.headings.clone(),
        links,
        backlinks: browse::backlinks(&s.index, id, visible.as_ref())?,
        attachments,
        problems,
        size: meta.len(),
        modified,
        history,
        history_total,
        markdown: parsed.markdown,
    }))
}

/// The attachments (PDF, DOCX) a note links to, as indexed documents.
fn attachments_of(s: &Shared, links: &[LinkView], visible: &dyn Query) -> ApiResult<Vec<NoteRef>> {
    let mut out: Vec<NoteRef> = Vec::new();
    for id in links.iter().filter_map(|l| l.id.as_deref()) {
        let is_attachment = matches!(crate::vault::file_kind(id), Some(crate::vault::FileKind::Attachment(_)));
        if is_attachment && !out.iter().any(|r| r.id == id) {
            if let Some(card) = browse::get(&s.index, id, visible)? {
                out.push(NoteRef { id: card.id, title: card.title, kind: card.kind });
            }
        }
    }
    Ok(out)
}

fn related_of(s: &Shared, id: &str, reader: &Reader) -> ApiResult<Json<serde_json::Value>> {
    let visible = browse::visible(s.index.fields(), reader);
    let related = crate::index::related::related(&s.index, id, 10, visible.as_ref())?
        .ok_or_else(|| ApiError::not_found(format!("no note `{id}`")))?;
    Ok(Json(serde_json::json!({ "id": id, "related": related })))
}

/// `GET /api/programs`.
#[utoipa::path(get, path = "/api/programs", tag = "browse", responses((status = 200, body = [TreeNode])))]
pub async fn programs(State(state): State<AppState>, reader: Reader) -> ApiResult<Json<serde_json::Value>> {
    state
        .blocking(move |s| {
            let tree = browse::tree(&s.index, browse::visible(s.index.fields(), &reader).as_ref())?;
            Ok(Json(serde_json::json!({ "portfolios": tree })))
        })
        .await
}

/// `GET /api/experts?q=`: with `q`, the people who know most about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpertsFound {
    pub query: String,
    pub experts: Vec<Person>,
}

/// `GET /api/experts`: everyone who knows the notes (named experts and commit authors) with note
/// counts; with `q`, people ranked by the relevance of their notes to it.
#[utoipa::path(get, path = "/api/experts", tag = "browse",
    params(
        ("q" = Option<String>, Query, description = "A topic: rank people by their notes' relevance to it"),
        ("limit" = Option<usize>, Query, description = "with q: 1..=100, default 20"),
    ),
    responses((status = 200, description = "Without q: {experts: [Expert]}; with q: ExpertsFound", body = ExpertsFound),
              (status = 400, body = ErrorBody)))]
pub async fn experts(
    State(state): State<AppState>,
    reader: Reader,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<serde_json::Value>> {
    let p = Params::parse(raw.as_deref())?;
    let q = p.one("q").map(str::to_string);
    let limit = p.number("limit", 20, 100)?.max(1);
    if q.is_some() {
        state.status.fresh(FRESHNESS_WAIT).await;
    }
    state
        .blocking(move |s| match q {
            Some(q) => {
                let experts = expertise::find(&s.index, &q, limit, &reader)?;
                Ok(Json(serde_json::json!(ExpertsFound { query: q, experts })))
            }
            None => {
                let experts = browse::experts(&s.index, browse::visible(s.index.fields(), &reader).as_ref())?;
                Ok(Json(serde_json::json!({ "experts": experts })))
            }
        })
        .await
}

/// `GET /api/problems`.
#[utoipa::path(get, path = "/api/problems", tag = "browse", responses((status = 200, body = [ProblemNote])))]
pub async fn problems(State(state): State<AppState>, reader: Reader) -> ApiResult<Json<serde_json::Value>> {
    state
        .blocking(move |s| {
            let notes =
                browse::problems(&s.index, s.vault.root(), browse::visible(s.index.fields(), &reader).as_ref())?;
            let total: usize = notes.iter().map(|n| n.problems.len()).sum();
            Ok(Json(serde_json::json!({ "total": total, "notes": notes })))
        })
        .await
}

/// `GET /api/stats`. Under access control the counts are of the notes the caller may see, and the
/// figures that count every file (index size, last sync, git, pulls) are `null` unless nothing is
/// hidden from the caller (an admin token).
#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    #[serde(flatten)]
    pub counts: Counts,
    pub index_bytes: Option<u64>,
    pub ready: bool,
    #[schema(value_type = Option<Object>)]
    pub last_sync: Option<SyncReport>,
    pub pending: usize,
    pub commits: u64,
    pub watcher: String,
    pub uptime_s: f64,
    /// The git history the index reflects; `null` when the root is not in a git work tree.
    pub git: Option<GitStats>,
    /// Pulling from the upstream; `null` unless `--pull` or a webhook secret turned it on.
    pub pull: Option<PullStatus>,
}

/// The git side of `/api/stats`.
#[derive(Debug, Serialize, ToSchema)]
pub struct GitStats {
    pub head: Option<String>,
    /// Commits read (merges aside).
    pub commits: usize,
    /// Files with at least one commit.
    pub files: usize,
    /// Seconds the last full history pass took.
    pub pass_seconds: f64,
}

#[utoipa::path(get, path = "/api/stats", tag = "operations", responses((status = 200, body = Stats)))]
pub async fn stats(State(state): State<AppState>, reader: Reader) -> ApiResult<Json<Stats>> {
    state
        .blocking(move |s| {
            let all = reader.sees_all();
            Ok(Json(Stats {
                counts: browse::counts(&s.index, browse::visible(s.index.fields(), &reader).as_ref())?,
                index_bytes: all.then(|| s.index.size_bytes()),
                ready: s.status.ready.load(Ordering::Relaxed),
                last_sync: s.status.last_sync.lock().ok().and_then(|l| l.clone()).filter(|_| all),
                pending: s.status.pending.load(Ordering::Relaxed),
                commits: s.status.commits.load(Ordering::Relaxed),
                watcher: s.status.watcher.lock().map(|w| w.clone()).unwrap_or_default(),
                uptime_s: s.started.elapsed().as_secs_f64(),
                git: s.repo.as_ref().filter(|_| all).and_then(|_| {
                    let h = s.history.read().ok()?;
                    Some(GitStats {
                        head: h.head().map(str::to_string),
                        commits: h.commits(),
                        files: h.paths(),
                        pass_seconds: h.pass_seconds,
                    })
                }),
                pull: s.puller.as_ref().filter(|_| all).map(|p| p.snapshot()),
            }))
        })
        .await
}

/// `GET /api/review`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reviews {
    /// The day overdue is judged on (UTC).
    pub today: String,
    /// Overdue notes.
    pub total: usize,
    /// Notes whose `review_by` has passed, longest overdue first.
    pub notes: Vec<Reviewed>,
    /// Notes due for review within 30 days, soonest first.
    pub due_soon: Vec<Reviewed>,
}

/// `GET /api/review`: notes whose `review_by` has passed, longest overdue first, then those due soon.
#[utoipa::path(get, path = "/api/review", tag = "decision-makers", responses((status = 200, body = Reviews)))]
pub async fn review(State(state): State<AppState>, reader: Reader) -> ApiResult<Json<Reviews>> {
    state.status.fresh(FRESHNESS_WAIT).await;
    state
        .blocking(move |s| {
            let today = s.clock.now().date_naive();
            let visible = browse::visible(s.index.fields(), &reader);
            let (notes, due_soon) = briefing::reviews(&s.index, visible.as_ref(), today)?;
            Ok(Json(Reviews { today: today.to_string(), total: notes.len(), notes, due_soon }))
        })
        .await
}

/// `GET /api/key`.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyDocuments {
    pub program: Option<String>,
    pub total: usize,
    /// Newest first (by the note's date, else its last change), each with its review state.
    pub notes: Vec<Reviewed>,
}

/// `GET /api/key?program=`: a program's key documents, newest first, with their review state.
#[utoipa::path(get, path = "/api/key", tag = "decision-makers",
    params(("program" = Option<String>, Query, description = "Without it: every program's key documents")),
    responses((status = 200, body = KeyDocuments), (status = 400, body = ErrorBody)))]
pub async fn key(
    State(state): State<AppState>,
    reader: Reader,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<KeyDocuments>> {
    let p = Params::parse(raw.as_deref())?;
    let program = p.one("program").map(str::to_string);
    state.status.fresh(FRESHNESS_WAIT).await;
    state
        .blocking(move |s| {
            let today = s.clock.now().date_naive();
            let visible = browse::visible(s.index.fields(), &reader);
            let notes = briefing::key_documents(&s.index, visible.as_ref(), program.as_deref(), today)?;
            Ok(Json(KeyDocuments { program, total: notes.len(), notes }))
        })
        .await
}

/// `GET /api/recent`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recent {
    /// RFC 3339.
    pub since: String,
    pub total: usize,
    /// Most recently changed first.
    pub notes: Vec<Card>,
}

/// How far back `/api/recent` looks by default, in days.
pub const RECENT_DAYS: u64 = 30;

/// `GET /api/recent?since=&program=`: what changed, by commit time (file time without git).
#[utoipa::path(get, path = "/api/recent", tag = "decision-makers",
    params(
        ("since" = Option<String>, Query, description = "YYYY-MM-DD, RFC 3339 or Jalali; default 30 days ago"),
        ("program" = Option<String>, Query), ("kind" = Option<String>, Query),
        ("limit" = Option<usize>, Query, description = "1..=1000, default 100"),
    ),
    responses((status = 200, body = Recent), (status = 400, body = ErrorBody)))]
pub async fn recent(State(state): State<AppState>, reader: Reader, RawQuery(raw): RawQuery) -> ApiResult<Json<Recent>> {
    let p = Params::parse(raw.as_deref())?;
    let since = p.date("since")?;
    let scope =
        Scope { program: p.one("program").map(str::to_string), kind: p.one("kind").map(str::to_string), key: None };
    let limit = p.number("limit", 100, briefing::MAX_NOTES)?;
    state.status.fresh(FRESHNESS_WAIT).await;
    state
        .blocking(move |s| {
            let since = since.unwrap_or_else(|| s.clock.now() - chrono::Days::new(RECENT_DAYS));
            let visible = browse::visible(s.index.fields(), &reader);
            let notes = briefing::recent(&s.index, visible.as_ref(), &scope, since, limit)?;
            let since = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            Ok(Json(Recent { since, total: notes.len(), notes }))
        })
        .await
}

/// `GET /healthz`: alive.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: ready once the first sync is done.
pub async fn readyz(State(state): State<AppState>) -> Response {
    if state.status.ready.load(Ordering::Relaxed) {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "syncing").into_response()
    }
}

/// `GET /metrics`. Under access control it counts every note, so it needs an admin token.
pub async fn metrics(State(state): State<AppState>, reader: Reader) -> ApiResult<Response> {
    if !reader.sees_all() {
        let (status, code) = match reader.name {
            None => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Some(_) => (StatusCode::FORBIDDEN, "forbidden"),
        };
        return Err(ApiError::new(status, code, "the metrics need an admin token"));
    }
    let body = state.metrics.render(&state);
    Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body).into_response())
}

/// Unknown API routes.
pub async fn not_found() -> ApiError {
    ApiError::not_found("no such route")
}
