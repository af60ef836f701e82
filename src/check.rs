//! `daftar check`: every problem of the knowledge base a person should fix before committing:
//! invalid front matter (with the line of the key), unreadable files, and links that resolve to no
//! note or file. Link targets are judged against the whole root, even when only some paths are
//! checked.

use rustc_hash::FxHashSet as HashSet;
use std::path::{Path, PathBuf};

use crate::index::sync;
use crate::note::links::{self, LinkKey};
use crate::note::Note;
use crate::vault::{Entry, Vault};

/// One problem, ready to print as `path:line: message`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Finding {
    pub id: String,
    pub line: usize,
    pub message: String,
}

/// What resolves a link: the names of every note and the paths of every other file.
pub struct Targets {
    names: HashSet<String>,
    root: PathBuf,
}

impl Targets {
    /// The targets of the whole root (no note is read).
    pub fn of(vault: &Vault, entries: &[Entry]) -> Targets {
        let names = entries.iter().flat_map(|e| links::names(&e.id)).collect();
        Targets { names, root: vault.root().to_path_buf() }
    }

    /// The targets named by a set of ids (e.g. from the index), checking other files on disk.
    pub fn from_names(root: &Path, names: impl IntoIterator<Item = String>) -> Targets {
        Targets { names: names.into_iter().collect(), root: root.to_path_buf() }
    }

    /// True when a link with this key leads somewhere.
    pub fn resolves(&self, key: &LinkKey) -> bool {
        match key {
            LinkKey::Outside(_) => false,
            LinkKey::Name(n) => self.names.contains(n),
            LinkKey::Path(p) => self.names.contains(p) || self.file_exists(p),
        }
    }

    fn file_exists(&self, folded: &str) -> bool {
        // Attachments and images: the key is folded, so compare folded names in the folder.
        let (dir, name) = folded.rsplit_once('/').unwrap_or(("", folded));
        let mut path = self.root.clone();
        if !dir.is_empty() {
            let Some(real) = find_dir(&self.root, dir) else {
                return false;
            };
            path = real;
        }
        std::fs::read_dir(&path)
            .is_ok_and(|rd| rd.flatten().any(|e| e.file_name().to_str().is_some_and(|n| links::fold(n) == name)))
    }
}

/// The real folder under `root` whose folded relative path is `folded`.
fn find_dir(root: &Path, folded: &str) -> Option<PathBuf> {
    let mut current = root.to_path_buf();
    for part in folded.split('/') {
        let next = std::fs::read_dir(&current)
            .ok()?
            .flatten()
            .find(|e| e.file_name().to_str().is_some_and(|n| links::fold(n) == part))?;
        current = next.path();
    }
    Some(current)
}

/// The broken links of a note.
pub fn broken_links(note: &Note, targets: &Targets) -> Vec<Finding> {
    note.links
        .iter()
        .filter(|l| l.key.as_ref().is_some_and(|k| !targets.resolves(k)))
        .map(|l| Finding {
            id: note.id.clone(),
            line: l.line,
            message: format!("broken link: `{}` leads to no note or file", l.target),
        })
        .collect()
}

/// Checks the notes under `only` (files or folders; everything when empty).
pub fn check(vault: &Vault, only: &[PathBuf]) -> Vec<Finding> {
    let entries = vault.scan();
    let targets = Targets::of(vault, &entries);
    let wanted: Vec<PathBuf> = only.iter().filter_map(|p| std::fs::canonicalize(p).ok()).collect();
    let selected: Vec<&Entry> =
        entries.iter().filter(|e| wanted.is_empty() || wanted.iter().any(|w| e.path.starts_with(w))).collect();
    let mut findings: Vec<Finding> = parallel_map(&selected, |entry| {
        // A note daftar fails on is a finding too, never a silent gap in the report.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let (note, _) = sync::load(vault, entry);
            let mut out: Vec<Finding> = note
                .problems
                .iter()
                .map(|p| Finding { id: note.id.clone(), line: p.line, message: p.message.clone() })
                .collect();
            out.extend(broken_links(&note, &targets));
            out
        }))
        .unwrap_or_else(|_| {
            vec![Finding {
                id: entry.id.clone(),
                line: 0,
                message: "daftar failed on this file (a bug: please report it)".into(),
            }]
        })
    })
    .into_iter()
    .flatten()
    .collect();
    for p in only {
        if std::fs::canonicalize(p).is_err() {
            findings.push(Finding { id: p.display().to_string(), line: 0, message: "no such file or folder".into() });
        }
    }
    findings.sort_by(|a, b| (&a.id, a.line).cmp(&(&b.id, b.line)));
    findings
}

/// Maps `f` over `items` on every core, keeping order. A panic in `f` is carried to the caller,
/// never turned into missing results.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8);
    if threads == 1 || items.len() < 64 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items.chunks(chunk).map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<R>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_map_keeps_order_and_carries_panics() {
        let items: Vec<usize> = (0..1000).collect();
        assert_eq!(parallel_map(&items, |i| i * 2), items.iter().map(|i| i * 2).collect::<Vec<_>>());
        let panicked =
            std::panic::catch_unwind(|| parallel_map(&items, |&i| if i == 700 { panic!("boom") } else { i }));
        assert!(panicked.is_err(), "a panicked chunk must not vanish from the results");
    }
}
