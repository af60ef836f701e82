//! The OpenAPI document, generated from the handlers and their types; `schemas/openapi.json` is
//! kept identical to it by a test.

use utoipa::OpenApi;

use super::api;
use crate::index::{browse, card, related, search};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "daftar",
        description = "Knowledge-management search engine and document store for program-management teams, in Persian and English."
    ),
    paths(api::search, api::note, api::programs, api::experts, api::problems, api::stats, api::review),
    components(schemas(
        search::Response,
        search::Hit,
        search::FacetValue,
        card::Card,
        crate::note::Problem,
        crate::note::Heading,
        api::NoteView,
        api::LinkView,
        api::ErrorBody,
        api::ErrorDetail,
        api::Stats,
        browse::NoteRef,
        browse::TreeNode,
        browse::Expert,
        browse::ProblemNote,
        browse::Counts,
        related::Related,
        crate::check::Finding,
    ))
)]
pub struct ApiDoc;

/// The document as pretty JSON (what `schemas/openapi.json` holds).
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_else(|_| "{}".to_string())
}
