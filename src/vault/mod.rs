//! The notes folder, the source of truth. Turns files into note ids and back, vets every path a
//! client names, and walks the root (honouring `.gitignore`, skipping dotfiles, `.git/` and the
//! index folder) into [`Entry`]s with the file facts a sync compares.

pub mod path;
pub mod template;
pub mod watch;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

pub use path::{PathError, INDEX_DIR};

/// Notes larger than this are skipped with a problem (DESIGN's default, 10 MiB).
pub const MAX_NOTE_BYTES: u64 = 10 * 1024 * 1024;
/// Attachments larger than this are skipped with a problem: reports with scans run larger than notes.
pub const MAX_ATTACHMENT_BYTES: u64 = 50 * 1024 * 1024;

/// What a file under the root is to daftar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Note,
    /// A PDF or DOCX document, indexed by its text.
    Attachment(crate::note::attachment::Format),
}

/// One document found under the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path relative to the root, `/`-separated.
    pub id: String,
    pub path: PathBuf,
    pub kind: FileKind,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub mtime: i64,
    pub size: u64,
    /// Why the file must not be read (too large, symlink leaving the root...): it is indexed by
    /// name only, with this as its problem.
    pub skip: Option<String>,
}

/// The knowledge folder.
#[derive(Debug, Clone)]
pub struct Vault {
    root: PathBuf,
}

impl Vault {
    /// Opens `root`, which must be an existing folder.
    pub fn open(root: &Path) -> std::io::Result<Vault> {
        let root = fs::canonicalize(root)?;
        if !root.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                format!("{} is not a folder", root.display()),
            ));
        }
        Ok(Vault { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Every note under the root, sorted by id.
    pub fn scan(&self) -> Vec<Entry> {
        self.scan_under(&self.root)
    }

    /// Every note under `dir` (a folder inside the root), sorted by id.
    pub fn scan_under(&self, dir: &Path) -> Vec<Entry> {
        let index_dir = self.root.join(INDEX_DIR);
        let mut walk = ignore::WalkBuilder::new(dir);
        walk.hidden(true)
            .git_ignore(true)
            .git_exclude(false)
            .git_global(false)
            .parents(false)
            .require_git(false)
            .follow_links(false)
            .filter_entry(move |e| e.path() != index_dir);
        let mut out = Vec::new();
        for item in walk.build() {
            let Ok(item) = item else {
                tracing::warn!(error = %item.err().map(|e| e.to_string()).unwrap_or_default(), "cannot read part of the root");
                continue;
            };
            if item.depth() == 0 {
                continue;
            }
            if let Some(entry) = self.entry(item.path()) {
                out.push(entry);
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        out
    }

    /// The entry for one path under the root, or `None` when it is not a note (or is gone).
    pub fn entry(&self, path: &Path) -> Option<Entry> {
        let id = self.id_of(path)?;
        let kind = file_kind(&id)?;
        let meta = fs::symlink_metadata(path).ok()?;
        let mut skip = None;
        let mut facts = meta.clone();
        if meta.file_type().is_symlink() {
            match fs::canonicalize(path) {
                Err(_) => skip = Some("symlink is broken or loops: not followed".to_string()),
                Ok(target) if !target.starts_with(&self.root) => {
                    skip = Some("symlink points outside the knowledge root: not followed".to_string())
                }
                Ok(target) => match fs::metadata(&target) {
                    Ok(m) if m.is_file() => facts = m,
                    _ => skip = Some("symlink does not point to a file: not followed".to_string()),
                },
            }
        } else if !meta.is_file() {
            return None;
        }
        let limit = if kind == FileKind::Note { MAX_NOTE_BYTES } else { MAX_ATTACHMENT_BYTES };
        if skip.is_none() && facts.len() > limit {
            skip = Some(format!(
                "file is {:.1} MiB, over the {} MiB limit: not indexed",
                facts.len() as f64 / 1048576.0,
                limit / 1048576
            ));
        }
        let mtime = facts
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
        Some(Entry { id, path: path.to_path_buf(), kind, mtime, size: facts.len(), skip })
    }

    /// The note id of a path under the root; `None` outside the root, in `.git/`, the index folder
    /// or a dotted folder, or for a name that is not valid UTF-8.
    pub fn id_of(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let mut parts = Vec::new();
        for c in rel.components() {
            let s = c.as_os_str().to_str()?;
            if s.starts_with('.') {
                return None;
            }
            parts.push(s);
        }
        (!parts.is_empty()).then(|| parts.join("/"))
    }

    /// The file of a client-supplied id, after vetting (see [`path::vet`]).
    pub fn resolve(&self, id: &str) -> Result<PathBuf, PathError> {
        path::resolve(&self.root, id)
    }

    /// Reads a note's bytes.
    pub fn read(&self, entry: &Entry) -> std::io::Result<Vec<u8>> {
        fs::read(&entry.path)
    }
}

/// Which ids are documents daftar indexes.
pub fn file_kind(id: &str) -> Option<FileKind> {
    let ext = id.rsplit_once('.')?.1.to_ascii_lowercase();
    match ext.as_str() {
        "md" | "markdown" => Some(FileKind::Note),
        _ => crate::note::attachment::Format::of(id).map(FileKind::Attachment),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_skips_hidden_ignored_and_non_notes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        for (p, body) in [
            ("a.md", "x"),
            ("p/q/b.markdown", "x"),
            ("p/pic.png", "x"),
            (".hidden.md", "x"),
            (".git/c.md", "x"),
            (".daftar/d.md", "x"),
            ("ignored/e.md", "x"),
            (".gitignore", "ignored/\n"),
            ("طرح/یادداشت.md", "x"),
        ] {
            let path = root.join(p);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(path, body).expect("write");
        }
        let vault = Vault::open(root).expect("open");
        let ids: Vec<String> = vault.scan().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["a.md", "p/q/b.markdown", "طرح/یادداشت.md"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_leaving_the_root_or_looping_are_skipped_with_a_reason() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        fs::write(outside.path().join("secret.md"), "secret").expect("write");
        let root = dir.path();
        fs::write(root.join("inside.md"), "x").expect("write");
        std::os::unix::fs::symlink(outside.path().join("secret.md"), root.join("leak.md")).expect("symlink");
        std::os::unix::fs::symlink(root.join("loop.md"), root.join("loop.md")).expect("symlink");
        std::os::unix::fs::symlink(root.join("inside.md"), root.join("alias.md")).expect("symlink");
        let vault = Vault::open(root).expect("open");
        let entries = vault.scan();
        let skip = |id: &str| entries.iter().find(|e| e.id == id).map(|e| e.skip.clone());
        assert!(skip("leak.md").flatten().is_some_and(|s| s.contains("outside")));
        assert!(skip("loop.md").flatten().is_some_and(|s| s.contains("loops")));
        assert_eq!(skip("alias.md"), Some(None));
        assert_eq!(skip("inside.md"), Some(None));
    }
}
