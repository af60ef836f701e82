//! `daftar new`: a note written from a template into `<root>/<program>/<project>/`, with a slug
//! file name (a Persian title gives a Persian file name), valid front matter and today's date.
//! An existing file is never overwritten.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What a new note is about.
#[derive(Debug, Clone)]
pub struct NewNote<'a> {
    pub kind: &'a str,
    pub program: &'a str,
    pub project: Option<&'a str>,
    pub title: &'a str,
    pub experts: &'a [String],
    pub date: chrono::NaiveDate,
}

/// Why a note could not be written.
#[derive(Debug, thiserror::Error)]
pub enum NewError {
    #[error("`{0}` gives an empty file or folder name: use letters or digits")]
    EmptyName(String),
    #[error("{0} already exists: daftar new never overwrites a note")]
    Exists(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// A file or folder name for a title: letters and digits of any script, words joined by `-`,
/// half-spaces kept (they belong to Persian words), at most 80 characters.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    // The title's own spelling is kept (a file name is what the expert wrote), bar invisible marks.
    for c in title.chars() {
        if c.is_alphanumeric() || c == '\u{200C}' {
            out.extend(c.to_lowercase());
        } else if matches!(c, '\u{200B}' | '\u{200D}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}' | '\u{0640}')
        {
            // Invisible marks and tatweel: not part of a name.
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(80).collect();
    out.trim_end_matches(['-', '\u{200C}']).to_string()
}

/// Writes the note and returns its path.
pub fn write(root: &Path, new: &NewNote<'_>) -> Result<PathBuf, NewError> {
    let mut dir = root.to_path_buf();
    for part in std::iter::once(new.program).chain(new.project) {
        let s = slug(part);
        if s.is_empty() {
            return Err(NewError::EmptyName(part.to_string()));
        }
        dir.push(s);
    }
    let stem = slug(new.title);
    if stem.is_empty() {
        return Err(NewError::EmptyName(new.title.to_string()));
    }
    let path = dir.join(format!("{stem}.md"));
    fs::create_dir_all(&dir).map_err(|source| NewError::Io { path: dir.clone(), source })?;
    let mut file = fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            NewError::Exists(path.clone())
        } else {
            NewError::Io { path: path.clone(), source }
        }
    })?;
    file.write_all(render(new).as_bytes()).map_err(|source| NewError::Io { path: path.clone(), source })?;
    Ok(path)
}

fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// The note's text: front matter plus a body skeleton suited to its kind.
pub fn render(new: &NewNote<'_>) -> String {
    let persian = new.title.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c));
    let mut out = String::from("---\n");
    out.push_str(&format!("title: {}\n", quote(new.title)));
    out.push_str(&format!("kind: {}\n", quote(new.kind)));
    out.push_str(&format!("program: {}\n", quote(new.program)));
    if let Some(project) = new.project {
        out.push_str(&format!("project: {}\n", quote(project)));
    }
    let experts: Vec<String> = new.experts.iter().map(|e| quote(e)).collect();
    out.push_str(&format!("experts: [{}]\n", experts.join(", ")));
    out.push_str("tags: []\n");
    out.push_str(&format!("date: {}\n", new.date.format("%Y-%m-%d")));
    out.push_str("status: draft\n---\n\n");
    out.push_str(&format!("# {}\n\n", new.title));
    for section in sections(new.kind, persian) {
        out.push_str(&format!("## {section}\n\n"));
    }
    out
}

fn sections(kind: &str, persian: bool) -> &'static [&'static str] {
    match (kind, persian) {
        ("lesson", false) => &["Context", "What happened", "What we learned", "Recommendations"],
        ("lesson", true) => &["زمینه", "چه اتفاقی افتاد", "چه آموختیم", "توصیه‌ها"],
        ("decision", false) => &["Context", "Options", "Decision", "Consequences"],
        ("decision", true) => &["زمینه", "گزینه‌ها", "تصمیم", "پیامدها"],
        ("risk", false) => &["Description", "Probability and impact", "Response", "Owner"],
        ("risk", true) => &["شرح", "احتمال و اثر", "پاسخ", "مالک"],
        ("meeting", false) => &["Attendees", "Agenda", "Decisions", "Actions"],
        ("meeting", true) => &["حاضران", "دستور جلسه", "تصمیم‌ها", "اقدام‌ها"],
        (_, false) => &["Summary", "Details"],
        (_, true) => &["خلاصه", "شرح"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Vendor onboarding took 3 months!"), "vendor-onboarding-took-3-months");
        assert_eq!(slug("درس‌آموخته تأخیر تأمین"), "درس\u{200c}آموخته-تأخیر-تأمین");
        assert_eq!(slug("  ?? "), "");
        assert_eq!(slug("a\u{200f}b/c"), "ab-c");
    }

    #[test]
    fn writes_once_and_never_overwrites() {
        let dir = tempfile::tempdir().expect("tempdir");
        let new = NewNote {
            kind: "lesson",
            program: "Digital Transformation",
            project: Some("ERP Rollout"),
            title: "Cutover rehearsal",
            experts: &["Sara Ahmadi".to_string()],
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("date"),
        };
        let path = write(dir.path(), &new).expect("write");
        assert!(path.ends_with("digital-transformation/erp-rollout/cutover-rehearsal.md"));
        let text = fs::read_to_string(&path).expect("read");
        assert!(text.contains("date: 2026-11-26"));
        let note = crate::note::parse("digital-transformation/erp-rollout/cutover-rehearsal.md", text.as_bytes());
        assert!(note.problems.is_empty(), "{:?}", note.problems);
        assert_eq!(note.program.as_deref(), Some("Digital Transformation"));
        assert!(matches!(write(dir.path(), &new), Err(NewError::Exists(_))));
    }
}
