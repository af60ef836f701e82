//! Links between notes. A link is reduced to a *key* that does not depend on which other notes
//! exist, so an index entry never goes stale when a target appears or vanishes: a relative
//! Markdown link keys by the path it points to, a `[[wiki-link]]` by the name written. A note
//! answers to its [`names`]; a link resolves when some note or attachment answers to its key.

use super::markdown::RawLink;

/// What a link points at, independent of the rest of the knowledge base.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKey {
    /// A path relative to the root (`erp/lessons/vendor.md`, `erp/attachments/plan.pdf`), folded.
    Path(String),
    /// A wiki-link name (`vendor-onboarding`, or `erp/vendor-onboarding`), folded.
    Name(String),
    /// A relative link that climbs out of the root: always broken.
    Outside(String),
}

impl LinkKey {
    /// The term stored in the index for this key: `p:`, `n:` or `o:` and the folded target.
    pub fn term(&self) -> String {
        match self {
            LinkKey::Path(p) => format!("p:{p}"),
            LinkKey::Name(n) => format!("n:{n}"),
            LinkKey::Outside(o) => format!("o:{o}"),
        }
    }

    /// The key a stored term stands for.
    pub fn from_term(term: &str) -> Option<LinkKey> {
        let (kind, rest) = term.split_once(':')?;
        let rest = rest.to_string();
        match kind {
            "p" => Some(LinkKey::Path(rest)),
            "n" => Some(LinkKey::Name(rest)),
            "o" => Some(LinkKey::Outside(rest)),
            _ => None,
        }
    }

    /// The link terms that would lead to a document with these names.
    pub fn terms_for(names: &[String]) -> Vec<String> {
        names.iter().flat_map(|n| [format!("p:{n}"), format!("n:{n}")]).collect()
    }
}

/// Folds a path or name for comparison: lowercase, ZWNJ and Arabic/Persian letter variants aside.
pub fn fold(s: &str) -> String {
    crate::analysis::fold_key(s)
}

/// The names a document answers to: its folded id, its id without extension and its file stem.
pub fn names(id: &str) -> Vec<String> {
    let mut out = vec![fold(id)];
    let without_ext = id.rsplit_once('.').filter(|(_, ext)| !ext.contains('/')).map_or(id, |(p, _)| p);
    for n in [fold(without_ext), fold(super::file_stem(id))] {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out
}

/// The key of a link written in note `from`; `None` for external links, pure anchors and empty targets.
pub fn key(from: &str, link: &RawLink) -> Option<LinkKey> {
    let decoded = local_target(&link.target)?;
    if link.wiki {
        let name = decoded.trim().trim_start_matches('/');
        let name = name.strip_suffix(".md").or_else(|| name.strip_suffix(".markdown")).unwrap_or(name);
        return Some(LinkKey::Name(fold(name)));
    }
    match join(from, &decoded) {
        Some(path) => Some(LinkKey::Path(fold(&path))),
        None => Some(LinkKey::Outside(fold(&decoded))),
    }
}

/// The root-relative path a relative link in note `from` points to, as written (not folded);
/// `None` when it climbs out of the root. A leading `/` means the root.
pub fn join(from: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        let mut dirs: Vec<&str> = from.split('/').collect();
        dirs.pop();
        dirs
    };
    for segment in target.split(['/', '\\']) {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// The target of a link without its `#fragment` and `?query`, percent-decoded; `None` for
/// external links, pure anchors and empty targets.
pub fn local_target(target: &str) -> Option<String> {
    let target = target.trim();
    let path = target.split(['#', '?']).next().unwrap_or("").trim();
    if path.is_empty() || is_external(path) {
        return None;
    }
    Some(percent_encoding::percent_decode_str(path).decode_utf8_lossy().into_owned())
}

fn is_external(target: &str) -> bool {
    if target.starts_with("//") {
        return true;
    }
    // A URL scheme: letters, then `:` before any `/` (`https:`, `mailto:`, `tel:`).
    match target.find(':') {
        Some(i) => {
            let scheme = &target[..i];
            !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(target: &str, wiki: bool) -> RawLink {
        RawLink { target: target.into(), label: String::new(), wiki, image: false, line: 1 }
    }

    #[test]
    fn keys_of_links() {
        let from = "erp/lessons/vendor.md";
        let cases = [
            ("other", true, Some(LinkKey::Name("other".into()))),
            ("Other.md", true, Some(LinkKey::Name("other".into()))),
            ("erp/x#Heading", true, Some(LinkKey::Name("erp/x".into()))),
            ("../decisions/d.md", false, Some(LinkKey::Path("erp/decisions/d.md".into()))),
            ("./same.md#top", false, Some(LinkKey::Path("erp/lessons/same.md".into()))),
            ("attachments/plan.pdf", false, Some(LinkKey::Path("erp/lessons/attachments/plan.pdf".into()))),
            ("/pmo/charter.md", false, Some(LinkKey::Path("pmo/charter.md".into()))),
            ("%D8%B7%D8%B1%D8%AD.md", false, Some(LinkKey::Path("erp/lessons/طرح.md".into()))),
            ("../../../etc/passwd", false, Some(LinkKey::Outside("../../../etc/passwd".into()))),
            ("https://example.org/a.md", false, None),
            ("mailto:a@b.c", false, None),
            ("#section", false, None),
            ("", false, None),
        ];
        for (target, wiki, want) in cases {
            assert_eq!(key(from, &link(target, wiki)), want, "{target}");
        }
    }

    #[test]
    fn names_of_a_note() {
        assert_eq!(names("ERP/Lessons/Vendor.md"), ["erp/lessons/vendor.md", "erp/lessons/vendor", "vendor"]);
        assert_eq!(names("top.md"), ["top.md", "top"]);
    }
}
