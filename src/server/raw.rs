//! `GET /raw/{path}`: the document store. A path is vetted (no `..` in any encoding, no absolute
//! path, backslash, NUL, dotfile, `.git/`, `.daftar/`, the config file, or symlink leaving the root)
//! before tower-http serves the file with its content type, range support and Last-Modified; an
//! ETag from size and mtime lets browsers revalidate. Under access control a file the reader may not
//! see answers 404, like a missing one.

use std::time::UNIX_EPOCH;

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use super::error::{ApiError, ApiResult};
use super::state::{AppState, Shared};
use crate::access::Reader;

pub async fn raw(
    State(state): State<AppState>,
    reader: Reader,
    Path(raw): Path<String>,
    req: Request,
) -> ApiResult<Response> {
    let decoded = percent_encoding::percent_decode_str(&raw)
        .decode_utf8()
        .map_err(|_| ApiError::bad_request("bad_encoding", "the path is not valid UTF-8"))?
        .into_owned();
    let path = state.vault.resolve(&decoded)?;
    if let Some(config) = &state.config.config_file {
        if std::fs::canonicalize(config).is_ok_and(|c| c == path) {
            return Err(ApiError::bad_request("bad_path", "the configuration file is not served"));
        }
    }
    if !reader.sees_all() {
        let checked = path.clone();
        let allowed = state.blocking(move |s| Ok(may_read(s, &reader, &checked))).await?;
        if !allowed {
            return Err(ApiError::not_found("no such file"));
        }
    }
    let meta = std::fs::metadata(&path).map_err(|_| ApiError::not_found("no such file"))?;
    let mtime = meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos());
    let etag = format!("\"{:x}-{:x}\"", meta.len(), mtime);
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let mut response = match ServeFile::new(&path).oneshot(req).await {
        Ok(r) => r.into_response(),
        Err(never) => match never {},
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    // Files are shown, never run: no sniffing, and HTML or SVG from the root can't script the viewer.
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"),
    );
    Ok(response)
}

/// Whether `reader` may read the file at `path`: a note by the front matter it has on disk now, any
/// other file by where it lives (see [`crate::access`]). The file's real location decides, so a
/// symlink cannot lend a hidden file a public name.
fn may_read(s: &Shared, reader: &Reader, path: &std::path::Path) -> bool {
    let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let Some(id) = s.vault.id_of(&real) else {
        return false;
    };
    if crate::vault::file_kind(&id) == Some(crate::vault::FileKind::Note) {
        let Ok(bytes) = std::fs::read(&real) else {
            return false;
        };
        let note = crate::note::parse(&id, &bytes);
        return reader.may_read_note(note.visibility.as_deref(), &note.audience, &id);
    }
    reader.may_read_note(None, &[], &id)
}
