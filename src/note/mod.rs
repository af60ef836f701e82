//! A note, parsed: pure functions from a file's bytes to [`Note`]. Nothing here touches the disk
//! or the index. A note whose front matter is broken still parses (title, path, body) and carries
//! its problems with their lines: nothing a user wrote disappears because of a typo.

pub mod attachment;
pub mod date;
pub mod front_matter;
pub mod links;
pub mod markdown;
pub mod render;
pub mod schema;

use serde::Serialize;
use serde_json::Value;

use crate::analysis::normalize_value;
use front_matter::Format;
pub use markdown::Heading;

/// A problem found in a note: 1-based line in the file and a message a person understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// A link written in a note, with the key it resolves by (see [`links`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub target: String,
    pub label: String,
    pub line: usize,
    #[serde(skip)]
    pub key: Option<links::LinkKey>,
}

/// Everything daftar knows about one note.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Note {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub portfolio: Option<String>,
    pub program: Option<String>,
    pub project: Option<String>,
    pub experts: Vec<String>,
    pub tags: Vec<String>,
    pub date: Option<date::Instant>,
    pub status: Option<String>,
    pub key: bool,
    pub audience: Vec<String>,
    pub visibility: Option<String>,
    pub review_by: Option<date::Instant>,
    pub summary: Option<String>,
    /// Unknown front-matter keys, one `(key, value)` per scalar value.
    pub meta: Vec<(String, String)>,
    /// The file as written (BOM removed).
    pub markdown: String,
    /// Plain text of the body for indexing.
    #[serde(skip)]
    pub text: String,
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
    pub problems: Vec<Problem>,
}

/// Keys with a meaning of their own; every other key is kept as `meta.<key>`.
const KNOWN_KEYS: &[&str] = &[
    "title",
    "kind",
    "portfolio",
    "program",
    "project",
    "experts",
    "author",
    "authors",
    "tags",
    "date",
    "status",
    "key",
    "audience",
    "visibility",
    "review_by",
    "summary",
];

/// The kind of a note whose front matter names none.
pub const DEFAULT_KIND: &str = "note";

/// Parses the bytes of the note `id` (its path relative to the root, `/`-separated).
pub fn parse(id: &str, bytes: &[u8]) -> Note {
    let mut note = Note { id: id.to_string(), kind: DEFAULT_KIND.to_string(), ..Default::default() };
    let text = decode(bytes, &mut note.problems);
    let split = front_matter::split(&text);
    let mut front = Value::Object(Default::default());
    if let Some((format, header)) = split.header {
        let mut unreadable = false;
        match front_matter::parse(format, header) {
            Ok(v) => front = v,
            Err(e) => {
                note.problems.push(Problem { line: 1 + e.line, message: e.message });
                unreadable = true;
            }
        }
        let lines = front_matter::key_lines(format, header);
        let line_of = |key: &str| lines.iter().find(|(k, _)| k == key).map_or(1, |(_, l)| 1 + l);
        let violations = schema::validate(&front);
        for v in &violations {
            let line = v.key.as_deref().map_or(1, line_of);
            note.problems.push(Problem { line, message: v.message.clone() });
        }
        let invalid: Vec<String> = violations.into_iter().filter_map(|v| v.key).collect();
        match &front {
            Value::Object(map) => apply_front_matter(&mut note, map, &invalid, &line_of, format),
            Value::Null => {}
            _ => unreadable = true,
        }
        if unreadable {
            // Front matter that cannot be read may have said `restricted`: closed until fixed.
            note.visibility = Some(crate::access::UNREADABLE.to_string());
        }
    }
    let extract = markdown::extract(split.body);
    note.title = note.title.is_empty().then(|| extract.h1.clone()).flatten().unwrap_or(std::mem::take(&mut note.title));
    if note.title.is_empty() {
        note.title = file_stem(id).to_string();
    }
    apply_folders(&mut note);
    note.links = extract
        .links
        .into_iter()
        .map(|l| Link { key: links::key(id, &l), target: l.target, label: l.label, line: l.line + split.body_line - 1 })
        .collect();
    note.headings = extract.headings;
    note.text = extract.text;
    note.markdown = text;
    note
}

/// UTF-8 with the BOM removed; anything else becomes a problem, never a failure.
fn decode(bytes: &[u8], problems: &mut Vec<Problem>) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes[..bytes.len().min(8192)].contains(&0) {
        problems.push(Problem {
            line: 1,
            message: "binary content, not a Markdown note (only the file name is indexed)".into(),
        });
        return String::new();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count();
            problems.push(Problem {
                line,
                message: "not valid UTF-8: save the file as UTF-8 (invalid bytes are shown as �)".into(),
            });
            String::from_utf8_lossy(bytes).into_owned()
        }
    }
}

fn apply_front_matter(
    note: &mut Note,
    map: &serde_json::Map<String, Value>,
    invalid: &[String],
    line_of: &dyn Fn(&str) -> usize,
    _format: Format,
) {
    let get = |k: &str| map.get(k).filter(|_| !invalid.iter().any(|i| i == k));
    let text = |k: &str| get(k).and_then(scalar).map(|s| normalize_value(&s)).filter(|s| !s.is_empty());
    note.title = get("title").and_then(scalar).map(|s| s.trim().to_string()).unwrap_or_default();
    if let Some(kind) = text("kind") {
        note.kind = kind.to_lowercase();
    }
    note.portfolio = text("portfolio");
    note.program = text("program");
    note.project = text("project");
    note.status = text("status");
    // Kept even when invalid: an unknown visibility closes the note rather than opening it.
    note.visibility = map.get("visibility").and_then(scalar).map(|s| normalize_value(&s)).filter(|s| !s.is_empty());
    note.summary = get("summary").and_then(scalar).map(|s| s.trim().to_string());
    note.key = get("key").and_then(Value::as_bool).unwrap_or(false);
    for k in ["experts", "authors", "author"] {
        for name in get(k).map(names).unwrap_or_default() {
            if !note.experts.contains(&name) {
                note.experts.push(name);
            }
        }
    }
    note.tags = get("tags").map(names).unwrap_or_default();
    note.audience = get("audience").map(names).unwrap_or_default();
    for (k, slot) in [("date", &mut note.date), ("review_by", &mut note.review_by)] {
        if let Some(raw) = get(k).and_then(scalar) {
            match date::parse(&raw) {
                Ok(d) => *slot = Some(d),
                Err(message) => note.problems.push(Problem { line: line_of(k), message: format!("{k}: {message}") }),
            }
        }
    }
    for (k, v) in map {
        if KNOWN_KEYS.contains(&k.as_str()) {
            continue;
        }
        let values = match v {
            Value::Array(items) => items.iter().filter_map(scalar).collect(),
            other => scalar(other).into_iter().collect::<Vec<_>>(),
        };
        note.meta.extend(values.into_iter().map(|s| (k.clone(), s)));
    }
}

/// A scalar front-matter value as text.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A name or a list of names, normalised, without empties or repeats.
fn names(v: &Value) -> Vec<String> {
    let raw: Vec<String> = match v {
        Value::Array(items) => items.iter().filter_map(scalar).collect(),
        other => scalar(other).into_iter().collect(),
    };
    let mut out: Vec<String> = Vec::new();
    for name in raw.iter().map(|s| normalize_value(s)).filter(|s| !s.is_empty()) {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The kind of attachment documents (PDF, DOCX).
pub const ATTACHMENT_KIND: &str = "attachment";

/// Parses an attachment (PDF or DOCX) into a document: its text, its title from its own metadata
/// or its file name, program and project from its folders. A file that cannot be read is still a
/// document (by name) carrying the reason as its problem.
pub fn parse_attachment(id: &str, format: attachment::Format, bytes: &[u8]) -> Note {
    let mut note = Note { id: id.to_string(), kind: ATTACHMENT_KIND.to_string(), ..Default::default() };
    match attachment::extract(format, bytes) {
        Ok(extracted) => {
            note.title = extracted.title.unwrap_or_default();
            note.text = extracted.text;
        }
        Err(message) => note.problems.push(Problem { line: 1, message }),
    }
    if note.title.is_empty() {
        note.title = id.rsplit('/').next().unwrap_or(id).to_string();
    }
    apply_folders(&mut note);
    note
}

/// Program and project from the first and second folder when the front matter names none.
fn apply_folders(note: &mut Note) {
    let dirs: Vec<&str> = note.id.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    if note.program.is_none() {
        note.program = dirs.first().map(|d| normalize_value(d)).filter(|s| !s.is_empty());
    }
    if note.project.is_none() {
        note.project = dirs.get(1).map(|d| normalize_value(d)).filter(|s| !s.is_empty());
    }
}

/// Where the folders put a file: its program and project (the first and second folder under the
/// root), as for a note that names neither.
pub fn folder_place(id: &str) -> (Option<String>, Option<String>) {
    let mut note = Note { id: id.to_string(), ..Default::default() };
    apply_folders(&mut note);
    (note.program, note.project)
}

/// The file name of an id without its extension.
pub fn file_stem(id: &str) -> &str {
    let name = id.rsplit('/').next().unwrap_or(id);
    name.rsplit_once('.').map_or(name, |(stem, _)| stem)
}

#[cfg(test)]
mod tests;
