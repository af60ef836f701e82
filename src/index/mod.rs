//! The index: tantivy, synchronous. One [`Index`] per process opens (or rebuilds) the persistent
//! index in `<root>/.daftar/`; one [`writer::Writer`] owns the `IndexWriter`; searches take a
//! searcher from the shared reader, which is reloaded explicitly after every commit.
//!
//! The notes are the store and the index is a rebuildable cache: a different schema or analyser
//! version, or an index that cannot be opened, means a rebuild, never lost notes. The index a
//! rebuild replaces is moved aside and deleted on a thread of its own while the new one is built.

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
    /// The deletion of a discarded index, waited for when the last clone of this one goes.
    _discarding: std::sync::Arc<Discarding>,
}

/// Prefix of an index moved aside to be deleted (`<dir>/discarded-<pid>-<n>`).
const DISCARDED: &str = "discarded-";

/// Discarded indexes being deleted on a thread of their own, so that a rebuild starts at once:
/// deleting a 100,000-note index took 0.16 s, on the core the folder walk leaves idle.
struct Discarding(Option<std::thread::JoinHandle<()>>);

impl Drop for Discarding {
    fn drop(&mut self) {
        if let Some(thread) = self.0.take() {
            let _ = thread.join();
        }
    }
}

/// An index moved aside to be deleted, by its name in the index folder.
fn is_discarded(entry: &fs::DirEntry) -> bool {
    entry.file_name().to_string_lossy().starts_with(DISCARDED)
}

/// Moves the index in `data` aside, if given and there is one, and deletes it on a thread together
/// with any index an earlier process moved aside and did not finish deleting. Deletes in place
/// when the index cannot be moved; when no thread can be started, the next open deletes what was
/// moved.
fn discard(dir: &Path, data: Option<&Path>) -> Result<Discarding> {
    static MOVED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let mut doomed: Vec<PathBuf> = fs::read_dir(dir)
        .map(|entries| entries.flatten().filter(is_discarded).map(|e| e.path()).collect())
        .unwrap_or_default();
    if let Some(data) = data.filter(|d| d.exists()) {
        let n = MOVED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let aside = dir.join(format!("{DISCARDED}{}-{n}", std::process::id()));
        match fs::rename(data, &aside) {
            Ok(()) => doomed.push(aside),
            Err(_) => fs::remove_dir_all(data).map_err(|e| Error::io(data, e))?,
        }
    }
    if doomed.is_empty() {
        return Ok(Discarding(None));
    }
    let delete = move || {
        for path in doomed {
            if let Err(e) = fs::remove_dir_all(&path) {
                tracing::warn!(error = %e, dir = %path.display(), "cannot delete a discarded index");
            }
        }
    };
    match std::thread::Builder::new().name("discard-index".into()).spawn(delete) {
        Ok(thread) => Ok(Discarding(Some(thread))),
        Err(e) => {
            // The next open tries again.
            tracing::warn!(error = %e, "cannot start deleting the discarded index");
            Ok(Discarding(None))
        }
    }
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
        // A rebuild discards the index in `data`; any open deletes what an earlier one left.
        let discarding = discard(dir, opened.is_none().then_some(data.as_path()))?;
        let mut index = match opened {
            Some(index) => index,
            None => {
                fresh = true;
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
        Ok(Index {
            dir: dir.to_path_buf(),
            index,
            reader,
            fields,
            facets,
            fresh,
            _discarding: std::sync::Arc::new(discarding),
        })
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
                        .filter(|e| !is_discarded(e))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn discarded(dir: &Path) -> Vec<String> {
        let names = fs::read_dir(dir).expect("read the index folder").flatten();
        names.map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with(DISCARDED)).collect()
    }

    #[test]
    fn a_rebuild_deletes_the_old_index_and_what_an_earlier_process_left_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let index = Index::open(dir.path(), false).expect("create");
        let mut w = index.writer().expect("writer");
        let note = crate::note::parse("p/a.md", b"# A\n\nThe vendor note.\n");
        w.upsert(note, writer::Stamp::default()).expect("upsert");
        w.commit().expect("commit");
        drop(w);
        index.reload().expect("reload");
        assert_eq!(index.searcher().num_docs(), 1);
        drop(index);

        // A process that stopped while deleting an old index left part of it.
        let left = dir.path().join(format!("{DISCARDED}1-0"));
        fs::create_dir_all(left.join("inner")).expect("mkdir");
        fs::write(left.join("inner/segment.idx"), b"old").expect("write");

        let rebuilt = Index::open(dir.path(), true).expect("rebuild");
        assert!(rebuilt.fresh);
        assert_eq!(rebuilt.searcher().num_docs(), 0, "the rebuilt index starts empty");
        assert!(dir.path().join("tantivy/meta.json").exists(), "a new index in place");
        let copy = rebuilt.clone();
        drop(rebuilt);
        drop(copy);
        assert_eq!(discarded(dir.path()), Vec::<String>::new(), "old and leftover indexes deleted");

        // Opening an index that needs no rebuild also clears leftovers, and keeps the index.
        let index = Index::open(dir.path(), true).expect("rebuild again");
        let mut w = index.writer().expect("writer");
        w.upsert(crate::note::parse("p/b.md", b"# B\n"), writer::Stamp::default()).expect("upsert");
        w.commit().expect("commit");
        drop((w, index));
        fs::create_dir_all(&left).expect("mkdir");
        let reopened = Index::open(dir.path(), false).expect("reopen");
        assert!(!reopened.fresh);
        assert_eq!(reopened.searcher().num_docs(), 1, "the index kept");
        drop(reopened);
        assert_eq!(discarded(dir.path()), Vec::<String>::new());
    }
}
