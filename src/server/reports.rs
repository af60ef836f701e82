//! `GET /api/reports`: the PMIS report of a program or project over a period, as JSON, or as CSV
//! for spreadsheets (`format=csv` or `Accept: text/csv`).

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::error::{ApiError, ApiResult};
use super::params::Params;
use super::state::AppState;
use crate::access::Reader;
use crate::index::report::{self, Report};

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
            let history = s.history.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = s.clock.now();
            let visible = crate::index::browse::visible(s.index.fields(), &reader);
            let period = (from.as_ref(), to.as_ref());
            Ok(report::build(&s.index, s.vault.root(), Some(&history), &scope, period, now, visible.as_ref())?)
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
    Ok(Json(rep).into_response())
}
