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
        super::auth::me,
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
        super::auth::Me,
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
    )),
    modifiers(&Security)
)]
pub struct ApiDoc;

/// Access control: a bearer token, or the viewer's cookie holding one; both optional (anonymous
/// callers read public notes, and without `[auth]` everything).
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        };
        let components = doc.components.get_or_insert_with(Default::default);
        let bearer = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("A token listed (as its SHA-256) under [auth] in daftar.toml"))
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        let cookie = ApiKeyValue::with_description(super::auth::COOKIE, "The viewer's copy of the same token");
        components.add_security_scheme("cookie", SecurityScheme::ApiKey(ApiKey::Cookie(cookie)));
        let none: [&str; 0] = [];
        doc.security = Some(vec![
            SecurityRequirement::default(),
            SecurityRequirement::new("bearer", none),
            SecurityRequirement::new("cookie", none),
        ]);
    }
}

/// The document as pretty JSON (what `schemas/openapi.json` holds).
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_else(|_| "{}".to_string())
}
