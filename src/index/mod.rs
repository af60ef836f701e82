//! The index: tantivy, synchronous. One [`Index`] per process opens (or rebuilds) the persistent
//! index in `<root>/.daftar/`; one [`writer::Writer`] owns the `IndexWriter`; searches take a
//! searcher from the shared reader, which is reloaded explicitly after every commit.
//!
//! The notes are the store and the index is a rebuildable cache: a different schema or analyser
//! version, or an index that cannot be opened, means a rebuild, never lost notes.

pub mod briefing;
pub mod browse;
pub mod card;
mod excluded;
pub mod expertise;
pub mod facets;
pub mod query;
pub mod related;
pub mod report;
pub mod schema;
pub mod search;
pub mod snippet;
pub mod sync;
pub mod writer;

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::{IndexReader, ReloadPolicy, Searcher};

use crate::analysis;
use crate::error::{Error, Result};
pub use schema::Fields;

/// The versions an index was built with; any difference forces a rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Versions {
    schema: u32,
    analyzer: u32,
}

const CURRENT: Versions = Versions { schema: schema::SCHEMA_VERSION, analyzer: analysis::ANALYZER_VERSION };

/// The opened index with its reader and field handles.
#[derive(Clone)]
pub struct Index {
    dir: PathBuf,
    index: tantivy::Index,
    reader: IndexReader,
    fields: Fields,
    /// The live segments' facet ordinals, for counting facets.
    facets: std::sync::Arc<facets::Cache>,
    /// True when this open started from an empty index (new, rebuilt or repaired).
    pub fresh: bool,
}

impl Index {
    /// Opens the index in `dir`, creating it, or rebuilding it when `rebuild` is set, the versions
    /// differ or it cannot be opened.
    pub fn open(dir: &Path, rebuild: bool) -> Result<Index> {
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        // The index folder ignores itself for git.
        let ignore = dir.join(".gitignore");
        if !ignore.exists() {
            fs::write(&ignore, "*\n").map_err(|e| Error::io(&ignore, e))?;
        }
        let data = dir.join("tantivy");
        let versions_file = dir.join("versions.json");
        let stored: Option<Versions> = fs::read(&versions_file).ok().and_then(|b| serde_json::from_slice(&b).ok());
        let (schema, fields) = schema::build();
        let mut fresh = false;
        let opened = if rebuild || stored.as_ref() != Some(&CURRENT) {
            if !rebuild && stored.is_some() {
                tracing::info!(dir = %dir.display(), "index built by another daftar version: rebuilding");
            }
            None
        } else {
            match tantivy::directory::MmapDirectory::open(&data)
                .map_err(tantivy::TantivyError::from)
                .and_then(tantivy::Index::open)
            {
                Ok(index) if index.schema() == schema => Some(index),
                Ok(_) => None,
                Err(e) => {
                    tracing::warn!(error = %e, dir = %data.display(), "index cannot be opened: rebuilding");
                    None
                }
            }
        };
        let mut index = match opened {
            Some(index) => index,
            None => {
                fresh = true;
                if data.exists() {
                    fs::remove_dir_all(&data).map_err(|e| Error::io(&data, e))?;
                }
                fs::create_dir_all(&data).map_err(|e| Error::io(&data, e))?;
                let index = tantivy::Index::create_in_dir(&data, schema)?;
                let json = serde_json::to_vec(&CURRENT).unwrap_or_default();
                fs::write(&versions_file, json).map_err(|e| Error::io(&versions_file, e))?;
                index
            }
        };
        analysis::register(index.tokenizers());
        // A search visits its segments on every core (the notes are split over at least as many
        // segments as the writer has threads), so one reader's answer takes a fraction of the time.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores > 1 {
            index.set_multithread_executor(cores)?;
        }
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let facets = std::sync::Arc::new(facets::Cache::new(search::facet_fields(&fields)));
        Ok(Index { dir: dir.to_path_buf(), index, reader, fields, facets, fresh })
    }

    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A searcher on the last reloaded commit.
    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The facet ordinals of the live segments.
    pub fn facet_cache(&self) -> std::sync::Arc<facets::Cache> {
        self.facets.clone()
    }

    /// Makes the last commit visible to searchers.
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// The single writer of this process.
    pub fn writer(&self) -> Result<writer::Writer> {
        writer::Writer::new(self)
    }

    /// Size of the index files in bytes.
    pub fn size_bytes(&self) -> u64 {
        fn walk(p: &Path) -> u64 {
            fs::read_dir(p)
                .map(|rd| {
                    rd.flatten()
                        .map(|e| match e.file_type() {
                            Ok(t) if t.is_dir() => walk(&e.path()),
                            _ => e.metadata().map_or(0, |m| m.len()),
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(&self.dir)
    }
}
