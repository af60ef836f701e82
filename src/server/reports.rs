//! `GET /api/reports`: the PMIS report of a program or project over a period, as JSON, or as CSV
//! for spreadsheets (`format=csv` or `Accept: text/csv`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::error::{ApiError, ApiResult};
use super::params::Params;
use super::state::AppState;
use crate::access::Reader;
use crate::index::report::{self, Report, Scope};

/// Reports kept.
const CACHED: usize = 8;

/// The longest a report is kept: its link health also looks for images and other files on disk
/// that no commit announces (a missing image put in place mends a broken link).
const KEEP_FOR: Duration = Duration::from_secs(60);

/// The reports built last, with what each was built from: the index's generation, the history's
/// HEAD, the reader, the scope and the day. A report reads every note's card and the link terms,
/// most of a second at 100,000 notes (BENCHMARKS.md, the per-request limits); asked again before
/// any of those changed (its CSV after its JSON, a dashboard that refreshes), and within
/// [`KEEP_FOR`], it is answered from here. Any commit starts a new generation, so no report
/// outlives a change to the notes.
#[derive(Default)]
pub struct Cache(Mutex<VecDeque<(Key, Instant, Arc<Report>)>>);

#[derive(PartialEq)]
struct Key {
    generation: u64,
    head: Option<String>,
    reader: Reader,
    scope: Scope,
    day: chrono::NaiveDate,
}

impl Cache {
    /// The report for `key`, built by `build` unless a report for it is kept.
    fn get_or_build(
        &self,
        key: Key,
        build: impl FnOnce() -> crate::error::Result<Report>,
    ) -> crate::error::Result<Arc<Report>> {
        let kept = |c: &VecDeque<(Key, Instant, Arc<Report>)>| {
            c.iter().find(|(k, at, _)| *k == key && at.elapsed() < KEEP_FOR).map(|(_, _, r)| r.clone())
        };
        if let Some(found) = kept(&self.0.lock().unwrap_or_else(PoisonError::into_inner)) {
            return Ok(found);
        }
        // Built outside the lock: other reports need not wait for this one.
        let at = Instant::now();
        let built = Arc::new(build()?);
        let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        cache.retain(|(k, _, _)| *k != key);
        if cache.len() == CACHED {
            cache.pop_front();
        }
        cache.push_back((key, at, built.clone()));
        Ok(built)
    }
}

#[utoipa::path(get, path = "/api/reports", tag = "reports",
    params(
        ("program" = Option<String>, Query), ("project" = Option<String>, Query),
        ("from" = Option<String>, Query, description = "growth and contributions from this day"),
        ("to" = Option<String>, Query),
        ("format" = Option<String>, Query, description = "json (default) or csv"),
    ),
    responses((status = 200, body = Report), (status = 400, body = super::api::ErrorBody)))]
pub async fn reports(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let p = Params::parse(raw.as_deref())?;
    let wants_csv = match p.one("format") {
        Some("csv") => true,
        Some("json") => false,
        Some(other) => {
            return Err(ApiError::bad_request("bad_format", format!("unknown format `{other}`: use json or csv")))
        }
        None => headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/csv")),
    };
    let scope = report::Scope {
        program: p.one("program").map(str::to_string),
        project: p.one("project").map(str::to_string),
        from: p.one("from").map(str::to_string),
        to: p.one("to").map(str::to_string),
    };
    let (from, to) = (p.date("from")?, p.date("to")?);
    let rep = state
        .blocking(move |s| {
            let history = s.history.read().unwrap_or_else(PoisonError::into_inner);
            let now = s.clock.now();
            let key = Key {
                generation: s.index.searcher().generation().generation_id(),
                head: history.head().map(str::to_string),
                reader: reader.clone(),
                scope: scope.clone(),
                day: now.date_naive(),
            };
            Ok(s.reports.get_or_build(key, || {
                let visible = crate::index::browse::visible(s.index.fields(), &reader);
                let period = (from.as_ref(), to.as_ref());
                report::build(&s.index, s.vault.root(), Some(&history), &scope, period, now, visible.as_ref())
            })?)
        })
        .await?;
    if wants_csv {
        let name = match &rep.scope.program {
            Some(p) => format!("daftar-report-{}.csv", crate::vault::template::slug(p)),
            None => "daftar-report.csv".to_string(),
        };
        let disposition = format!("attachment; filename*=UTF-8''{}", crate::note::render::url_path(&name));
        return Ok((
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
            rep.to_csv(),
        )
            .into_response());
    }
    Ok(Json(rep.as_ref()).into_response())
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn key(program: Option<&str>) -> Key {
        Key {
            generation: 1,
            head: None,
            reader: Reader::everyone(),
            scope: Scope { program: program.map(str::to_string), ..Scope::default() },
            day: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("day"),
        }
    }

    fn report(generated: &str) -> Report {
        Report {
            scope: Scope::default(),
            generated: generated.to_string(),
            totals: Default::default(),
            programs: Vec::new(),
            growth: Vec::new(),
            review: Default::default(),
            contributions: Vec::new(),
            links: Default::default(),
        }
    }

    #[test]
    fn a_report_is_kept_for_its_key_a_minute_at_most_and_eight_at_most() {
        let cache = Cache::default();
        let builds = Cell::new(0);
        let get = |k: Key, name: &str| {
            cache
                .get_or_build(k, || {
                    builds.set(builds.get() + 1);
                    Ok(report(name))
                })
                .expect("report")
                .generated
                .clone()
        };
        assert_eq!(get(key(None), "first"), "first");
        assert_eq!(get(key(None), "again"), "first", "kept");
        assert_eq!(get(key(Some("p")), "scoped"), "scoped", "another key, another report");
        assert_eq!(builds.get(), 2);
        // Built more than a minute ago: built again.
        {
            let mut kept = cache.0.lock().expect("lock");
            let old = Instant::now().checked_sub(KEEP_FOR + Duration::from_secs(1)).expect("an instant a minute ago");
            kept.iter_mut().for_each(|entry| entry.1 = old);
        }
        assert_eq!(get(key(None), "fresh"), "fresh");
        assert_eq!(get(key(None), "again"), "fresh");
        // Nine more keys: the oldest goes.
        for g in 2..11 {
            get(Key { generation: g, ..key(None) }, "other");
        }
        assert!(cache.0.lock().expect("lock").len() <= CACHED);
        assert_eq!(get(key(None), "rebuilt"), "rebuilt");
    }
}
