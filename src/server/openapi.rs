//! The OpenAPI document, generated from the handlers and their types; `schemas/openapi.json` is
//! kept identical to it by a test.

use utoipa::OpenApi;

use super::api;
use crate::index::{briefing, browse, card, expertise, related, report, search};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "daftar",
        description = "Knowledge-management search engine and document store for program-management teams, in Persian and English."
    ),
    paths(
        api::search,
        api::note,
        api::programs,
        api::experts,
        api::problems,
        api::stats,
        api::review,
        api::key,
        api::recent,
        super::feed::atom,
        super::hooks::git,
        super::reports::reports
    ),
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
        api::ExpertsFound,
        api::GitStats,
        api::Reviews,
        api::KeyDocuments,
        api::Recent,
        briefing::Reviewed,
        briefing::ReviewState,
        expertise::Person,
        expertise::Evidence,
        expertise::Role,
        crate::git::history::Commit,
        crate::git::remote::PullStatus,
        report::Report,
        report::Counts,
        report::ProgramReport,
        report::ProjectReport,
        report::Month,
        report::ReviewItem,
        report::ReviewHealth,
        report::Contribution,
        report::Orphan,
        report::LinkHealth,
    ))
)]
pub struct ApiDoc;

/// The document as pretty JSON (what `schemas/openapi.json` holds).
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_else(|_| "{}".to_string())
}
