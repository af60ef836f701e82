//! The viewer's pages, embedded in the binary. Every viewer URL (`/`, `/notes/{id}`, `/reports`)
//! answers the same HTML shell; the page reads its state from the URL.

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

const INDEX_HTML: &str = include_str!("../../viewer/index.html");

/// The viewer shell.
pub async fn page() -> Response {
    ([(header::CACHE_CONTROL, "no-cache"), (header::X_CONTENT_TYPE_OPTIONS, "nosniff")], Html(INDEX_HTML))
        .into_response()
}
