//! `GET /feed.atom?program=&kind=&key=`: an Atom 1.0 feed (RFC 4287) of new and changed notes,
//! most recent first, so people can subscribe per program, kind or to key documents. An entry's id
//! is the note's (stable across servers and renames of the host); its `updated` is the last commit
//! (the file time without git), so a feed reader shows an edit as an update of the same entry.

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use atom_syndication::{Category, Entry, Feed, FixedDateTime, Generator, Link, Person, Text};

use super::error::{ApiError, ApiResult};
use super::params::Params;
use super::state::AppState;
use crate::access::Reader;
use crate::index::briefing::{self, Scope};
use crate::index::browse;
use crate::index::card::Card;

/// Entries in one feed.
pub const ENTRIES: usize = 50;
const CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";

/// `GET /feed.atom`.
#[utoipa::path(get, path = "/feed.atom", tag = "decision-makers",
    params(
        ("program" = Option<String>, Query), ("kind" = Option<String>, Query),
        ("key" = Option<bool>, Query, description = "only key documents"),
    ),
    responses((status = 200, description = "Atom 1.0", content_type = "application/atom+xml"),
              (status = 400, body = super::api::ErrorBody)))]
pub async fn atom(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let p = Params::parse(raw.as_deref())?;
    let scope = Scope {
        program: p.one("program").map(str::to_string),
        kind: p.one("kind").map(str::to_string),
        key: p.bool("key")?,
    };
    let base = base_url(&headers);
    let self_href = format!("{base}/feed.atom{}", raw.as_deref().map(|q| format!("?{q}")).unwrap_or_default());
    state.status.fresh(super::api::FRESHNESS_WAIT).await;
    let xml = state
        .blocking(move |s| {
            let visible = browse::visible(s.index.fields(), &reader);
            let cards = briefing::latest(&s.index, visible.as_ref(), &scope, ENTRIES)?;
            let feed = build(&cards, &scope, &base, &self_href, s.clock.now());
            let mut out = Vec::new();
            feed.write_to(&mut out).map_err(|e| {
                tracing::error!(error = %e, "cannot write the feed");
                ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error")
            })?;
            Ok(out)
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], xml).into_response())
}

/// Where the server is, as the client reached it (links in a feed must be absolute).
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("localhost");
    let proto = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).filter(|p| *p == "https");
    format!("{}://{host}", proto.unwrap_or("http"))
}

fn time(rfc3339: Option<&str>) -> Option<FixedDateTime> {
    rfc3339.and_then(|t| crate::note::date::parse(t).ok()).map(|t| t.fixed_offset())
}

/// A note's stable Atom id.
pub fn entry_id(note: &str) -> String {
    let encoded: String = percent_encoding::utf8_percent_encode(note, percent_encoding::NON_ALPHANUMERIC).to_string();
    format!("urn:daftar:note:{encoded}")
}

/// The feed of these cards (most recent first).
pub fn build(cards: &[Card], scope: &Scope, base: &str, self_href: &str, now: chrono::DateTime<chrono::Utc>) -> Feed {
    let fallback = now.fixed_offset();
    let mut feed = Feed::default();
    let mut title = String::from("daftar: new and changed notes");
    for (name, value) in [("program", &scope.program), ("kind", &scope.kind)] {
        if let Some(v) = value {
            title.push_str(&format!(", {name} {v}"));
        }
    }
    if scope.key == Some(true) {
        title.push_str(", key documents");
    }
    feed.set_title(Text::plain(title));
    feed.set_id(format!(
        "urn:daftar:feed:program={}:kind={}:key={}",
        scope.program.as_deref().unwrap_or(""),
        scope.kind.as_deref().unwrap_or(""),
        scope.key.map(|k| k.to_string()).unwrap_or_default()
    ));
    feed.set_updated(cards.first().and_then(|c| time(c.updated.as_deref())).unwrap_or(fallback));
    feed.set_links(vec![
        Link {
            href: self_href.to_string(),
            rel: "self".into(),
            mime_type: Some("application/atom+xml".into()),
            ..Link::default()
        },
        Link {
            href: format!("{base}/"),
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Link::default()
        },
    ]);
    // Entries without people of their own inherit this (RFC 4287 §4.1.1 wants an author).
    feed.set_authors(vec![Person { name: "daftar".into(), ..Person::default() }]);
    feed.set_generator(Some(Generator {
        value: "daftar".into(),
        version: Some(env!("CARGO_PKG_VERSION").into()),
        ..Generator::default()
    }));
    feed.set_entries(cards.iter().map(|c| entry(c, base, fallback)).collect::<Vec<_>>());
    feed
}

fn entry(card: &Card, base: &str, fallback: FixedDateTime) -> Entry {
    let mut e = Entry::default();
    e.set_id(entry_id(&card.id));
    e.set_title(Text::plain(card.title.clone()));
    e.set_updated(time(card.updated.as_deref()).unwrap_or(fallback));
    e.set_published(time(card.created.as_deref()));
    let path: String = card
        .id
        .split('/')
        .map(|s| percent_encoding::utf8_percent_encode(s, PATH).to_string())
        .collect::<Vec<_>>()
        .join("/");
    e.set_links(vec![Link { href: format!("{base}/notes/{path}"), rel: "alternate".into(), ..Link::default() }]);
    let mut seen = std::collections::HashSet::new();
    let people: Vec<Person> = card
        .experts
        .iter()
        .chain(&card.contributors)
        .filter(|p| seen.insert(crate::analysis::fold_key(p)))
        .map(|p| Person { name: p.clone(), ..Person::default() })
        .collect();
    e.set_authors(people);
    let mut categories =
        vec![Category { term: card.kind.clone(), scheme: Some("urn:daftar:kind".into()), ..Category::default() }];
    for (scheme, value) in [("program", &card.program), ("project", &card.project)] {
        if let Some(v) = value {
            categories.push(Category {
                term: v.clone(),
                scheme: Some(format!("urn:daftar:{scheme}")),
                ..Category::default()
            });
        }
    }
    for t in &card.tags {
        categories.push(Category { term: t.clone(), scheme: Some("urn:daftar:tag".into()), ..Category::default() });
    }
    e.set_categories(categories);
    if let Some(summary) = &card.summary {
        e.set_summary(Some(Text::plain(summary.clone())));
    }
    e
}

/// Characters escaped in a path segment of a link.
const PATH: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');
