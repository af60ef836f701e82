//! A note's Markdown as safe HTML for readers: rendered by pulldown-cmark with the same extensions
//! as indexing, headings given the anchors listed in `headings`, links to notes rewritten to
//! `/notes/{id}` and to other files to `/raw/{path}`, then sanitised by ammonia so no script,
//! event handler, `javascript:` URL or iframe survives.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event, LinkType, Parser, Tag};

use super::links::{self, LinkKey};
use super::markdown::{self, RawLink};
use super::Note;

/// Characters kept as they are in the path part of a URL (besides alphanumerics).
const PATH: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// A root-relative path as a URL path, segments percent-encoded.
pub fn url_path(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, PATH).to_string()
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_tags(["input", "details", "summary", "figure", "figcaption", "mark"]);
        for h in ["h1", "h2", "h3", "h4", "h5", "h6"] {
            b.add_tag_attributes(h, ["id"]);
        }
        b.add_tag_attributes("input", ["type", "checked", "disabled"]);
        b.add_tag_attributes("code", ["class"]);
        b.add_tag_attributes("div", ["class", "id"]);
        b.add_tag_attributes("sup", ["class", "id"]);
        b.add_tag_attributes("li", ["id"]);
        b.add_tag_attributes("a", ["id"]);
        b.add_tag_attributes("td", ["style"]);
        b.add_tag_attributes("th", ["style"]);
        b.url_schemes(HashSet::from(["http", "https", "mailto", "tel"]));
        b.url_relative(ammonia::UrlRelative::PassThrough);
        b.link_rel(Some("noopener noreferrer"));
        b.id_prefix(None);
        b
    })
}

/// Renders a note. `resolve` turns a link key into the id of the note it leads to, if any.
pub fn render(note: &Note, resolve: &dyn Fn(&LinkKey) -> Option<String>) -> String {
    let body = super::front_matter::split(&note.markdown).body;
    let mut anchors = note.headings.iter().map(|h| h.anchor.clone());
    let events = Parser::new_ext(body, markdown::options()).map(|event| match event {
        Event::Start(Tag::Heading { level, id: _, classes, attrs }) => {
            Event::Start(Tag::Heading { level, id: anchors.next().map(CowStr::from), classes, attrs })
        }
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let wiki = matches!(link_type, LinkType::WikiLink { .. });
            let href = rewrite(&note.id, &dest_url, wiki, resolve).map_or(dest_url, CowStr::from);
            Event::Start(Tag::Link { link_type, dest_url: href, title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            let src = rewrite(&note.id, &dest_url, false, resolve).map_or(dest_url, CowStr::from);
            Event::Start(Tag::Image { link_type, dest_url: src, title, id })
        }
        // Raw HTML is kept for the sanitiser to clean rather than dropped: tables and <details> are common.
        other => other,
    });
    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events);
    sanitizer().clean(&html).to_string()
}

/// The viewer URL of a link written in note `from`; `None` leaves it as written (external, anchors).
fn rewrite(from: &str, target: &str, wiki: bool, resolve: &dyn Fn(&LinkKey) -> Option<String>) -> Option<String> {
    let fragment = target.find('#').map(|i| &target[i..]).unwrap_or("");
    let raw = RawLink { target: target.to_string(), label: String::new(), wiki, image: false, line: 0 };
    let key = links::key(from, &raw)?;
    if let Some(id) = resolve(&key) {
        // Attachments are documents too, but a reader opens the file itself.
        if crate::vault::file_kind(&id) != Some(crate::vault::FileKind::Note) {
            return Some(format!("/raw/{}", url_path(&id)));
        }
        return Some(format!("/notes/{}{fragment}", url_path(&id)));
    }
    if wiki {
        return Some(format!("/notes/{}", url_path(&links::local_target(target)?)));
    }
    let path = links::join(from, &links::local_target(target)?)?;
    Some(format!("/raw/{}", url_path(&path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_text(text: &str) -> String {
        let note = super::super::parse("p/q/n.md", text.as_bytes());
        render(&note, &|k| match k {
            LinkKey::Name(n) if n == "other" => Some("p/other.md".to_string()),
            LinkKey::Path(p) if p == "p/q/sib.md" => Some("p/q/sib.md".to_string()),
            _ => None,
        })
    }

    #[test]
    fn hostile_html_is_inert() {
        let html = render_text(concat!(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n",
            "[click](javascript:alert(1))\n\n<iframe src=\"https://evil\"></iframe>\n\n",
            "<svg onload=alert(1)><circle/></svg>\n\n<a href=\"JaVaScRiPt:alert(1)\">x</a>\n\n",
            "<div style=\"background:url(javascript:alert(1))\" onclick=\"alert(1)\">d</div>\n"
        ));
        let lower = html.to_lowercase();
        for bad in ["<script", "onerror", "javascript:", "<iframe", "onload", "<svg", "onclick", "style="] {
            assert!(!lower.contains(bad), "{bad} survived in {html}");
        }
    }

    #[test]
    fn links_are_rewritten() {
        let html =
            render_text("# T\n\n[[other]] [s](sib.md#x) [pdf](files/plan%20a.pdf) ![i](img.png) [w](https://x.org)\n");
        assert!(html.contains("href=\"/notes/p/other.md\""), "{html}");
        assert!(html.contains("href=\"/notes/p/q/sib.md#x\""), "{html}");
        assert!(html.contains("href=\"/raw/p/q/files/plan%20a.pdf\""), "{html}");
        assert!(html.contains("src=\"/raw/p/q/img.png\""), "{html}");
        assert!(html.contains("href=\"https://x.org\""), "{html}");
        assert!(html.contains("<h1 id=\"t\">"), "{html}");
    }

    #[test]
    fn gfm_renders() {
        let html = render_text("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~\n\n```rust\nfn x() {}\n```\n");
        for want in ["<table>", "<td>1</td>", "type=\"checkbox\"", "<del>old</del>", "class=\"language-rust\""] {
            assert!(html.contains(want), "{want} missing in {html}");
        }
    }
}
