//! daftar: a knowledge-management search engine and document store for program-management teams.
//!
//! Data flows one way, one module per stage:
//!
//! ```text
//! files ─▶ vault (scan, watch, vet paths) ─▶ note (parse: front matter, Markdown, links)
//!       ─▶ index::writer (the one IndexWriter) ─▶ index::search (many readers)
//!       ─▶ server (axum: API + viewer) ─▶ the browser
//! ```
//!
//! - [`vault`]: the notes folder, the source of truth; note ids; path vetting; `daftar new`.
//! - [`note`]: pure parsing of one note (`&[u8]` → [`note::Note`]), its dates and links.
//! - [`analysis`]: the Persian/English tokenizers used at index and query time.
//! - [`index`]: tantivy: schema, sync, the single writer, search, snippets, the expert finder and
//!   the decision-makers' views (key documents, reviews, recent changes).
//! - [`git`]: the notes' history and authorship, following HEAD, pulling from the upstream, the
//!   webhook and the pre-commit hook; everything degrades to file times without git.
//! - [`check`]: whole-root validation (`daftar check`).
//! - [`access`]: who may read which note (`[auth]` tokens, `visibility`, `audience`).
//! - [`server`]: the HTTP API and viewer.
//! - [`config`], [`cli`], [`app`]: configuration layers, the command line, and the wiring.
//! - [`hex`]: hex encoding of hashes and signatures (token hashes, webhook signatures).

pub mod access;
pub mod analysis;
pub mod app;
pub mod check;
pub mod cli;
pub mod config;
pub mod error;
pub mod git;
pub mod hex;
pub mod index;
pub mod indexer;
pub mod memory;
pub mod note;
pub mod server;
pub mod vault;
