//! The tantivy schema, built once, with its field handles kept in [`Fields`]. Every metadata field
//! is stored (in the `card`) and indexed; facets carry the portfolio → program → project tree and
//! the expert, kind, tag and status values; dates are fast fields; the content hash, mtime and size
//! let a sync skip unchanged notes, and the history digest re-indexes a note whose commits changed.
//! `author_k`/`author_f` hold the people who know a note: its experts and its commit authors;
//! `access` the grants that open it.

use tantivy::schema::{
    DateOptions, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED,
    STRING,
};

use crate::analysis;

/// Bump when the schema or how notes map onto it changes: a different version forces a rebuild.
pub const SCHEMA_VERSION: u32 = 6;

/// Field handles, resolved once.
#[derive(Debug, Clone)]
pub struct Fields {
    pub id: Field,
    pub names: Field,
    pub links: Field,
    pub title: Field,
    pub title_x: Field,
    pub lead: Field,
    pub lead_x: Field,
    pub headings: Field,
    pub body: Field,
    pub body_x: Field,
    pub portfolio_k: Field,
    pub program_k: Field,
    pub project_k: Field,
    pub expert_k: Field,
    pub kind_k: Field,
    pub tag_k: Field,
    pub status_k: Field,
    pub meta_k: Field,
    pub author_k: Field,
    /// The grants that open the note ([`crate::access::grants`]).
    pub access: Field,
    pub key: Field,
    pub problems: Field,
    pub tree: Field,
    pub program_f: Field,
    pub project_f: Field,
    pub expert_f: Field,
    pub kind_f: Field,
    pub tag_f: Field,
    pub status_f: Field,
    pub author_f: Field,
    pub date: Field,
    pub review_by: Field,
    pub updated: Field,
    pub mtime: Field,
    pub size: Field,
    pub hash: Field,
    pub history: Field,
    pub card: Field,
}

fn text(tokenizer: &str, stored: bool) -> TextOptions {
    // The expanded fields are only ever asked for single terms (phrases and proximity use the
    // main fields): their positions would be written and merged for nothing.
    let record = if tokenizer == analysis::EXPANDED {
        IndexRecordOption::WithFreqs
    } else {
        IndexRecordOption::WithFreqsAndPositions
    };
    let options = TextOptions::default()
        .set_indexing_options(TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(record));
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// Builds the schema and its handles.
pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let facet = || FacetOptions::default();
    let date = DateOptions::default().set_indexed().set_fast().set_stored();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED | FAST),
        names: b.add_text_field("names", STRING),
        links: b.add_text_field("links", STRING | STORED),
        title: b.add_text_field("title", text(analysis::MAIN, true)),
        title_x: b.add_text_field("title_x", text(analysis::EXPANDED, false)),
        lead: b.add_text_field("lead", text(analysis::MAIN, false)),
        lead_x: b.add_text_field("lead_x", text(analysis::EXPANDED, false)),
        headings: b.add_text_field("headings", text(analysis::MAIN, false)),
        body: b.add_text_field("body", text(analysis::MAIN, true)),
        body_x: b.add_text_field("body_x", text(analysis::EXPANDED, false)),
        portfolio_k: b.add_text_field("portfolio_k", STRING),
        program_k: b.add_text_field("program_k", STRING),
        project_k: b.add_text_field("project_k", STRING),
        expert_k: b.add_text_field("expert_k", STRING),
        kind_k: b.add_text_field("kind_k", STRING),
        tag_k: b.add_text_field("tag_k", STRING),
        status_k: b.add_text_field("status_k", STRING),
        meta_k: b.add_text_field("meta_k", STRING),
        author_k: b.add_text_field("author_k", STRING),
        access: b.add_text_field("access", STRING),
        key: b.add_bool_field("key", INDEXED | FAST),
        problems: b.add_u64_field("problems", INDEXED | FAST),
        tree: b.add_facet_field("tree", facet()),
        program_f: b.add_facet_field("program_f", facet()),
        project_f: b.add_facet_field("project_f", facet()),
        expert_f: b.add_facet_field("expert_f", facet()),
        kind_f: b.add_facet_field("kind_f", facet()),
        tag_f: b.add_facet_field("tag_f", facet()),
        status_f: b.add_facet_field("status_f", facet()),
        author_f: b.add_facet_field("author_f", facet()),
        date: b.add_date_field("date", date.clone()),
        review_by: b.add_date_field("review_by", date.clone()),
        updated: b.add_date_field("updated", date),
        mtime: b.add_i64_field("mtime", FAST | STORED),
        size: b.add_u64_field("size", FAST | STORED),
        hash: b.add_u64_field("hash", FAST | STORED),
        history: b.add_u64_field("history", FAST | STORED),
        // A column, not a stored field: listings read cards without opening (and UTF-8-checking)
        // every note's stored body.
        card: b.add_bytes_field("card", FAST),
    };
    (b.build(), fields)
}
