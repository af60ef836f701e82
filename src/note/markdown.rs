//! One pass over a note's Markdown (pulldown-cmark with the GFM extensions and wiki-links): the
//! first `#` heading, every heading with its anchor, the plain text to index (no syntax, no HTML
//! tags, code kept as text, a space at every block boundary so words don't merge), and the
//! outgoing links and images.

use pulldown_cmark::{Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// The Markdown extensions daftar reads and renders (one set for indexing and rendering).
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A heading of the note, with the anchor the rendered HTML gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub anchor: String,
}

/// A link or image as written in the note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLink {
    pub target: String,
    pub label: String,
    pub wiki: bool,
    pub image: bool,
    /// 1-based line in the note's body.
    pub line: usize,
}

/// What one pass over the body extracts.
#[derive(Debug, Default)]
pub struct Extract {
    pub h1: Option<String>,
    pub headings: Vec<Heading>,
    pub text: String,
    pub links: Vec<RawLink>,
}

/// Reads `body` once.
pub fn extract(body: &str) -> Extract {
    // The plain text is about as long as the Markdown: one allocation instead of a dozen doublings.
    let mut out = Extract { text: String::with_capacity(body.len()), ..Extract::default() };
    let mut heading: Option<(u8, String, Option<String>)> = None;
    let mut link: Option<RawLink> = None;
    let mut anchors = Anchors::default();
    let line_starts: Vec<usize> = std::iter::once(0).chain(body.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset);

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((heading_level(level), String::new(), id.map(|s| s.to_string())));
                out.text.push(' ');
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text, id)) = heading.take() {
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    if level == 1 && out.h1.is_none() && !text.is_empty() {
                        out.h1 = Some(text.clone());
                    }
                    let anchor = anchors.unique(id.unwrap_or_else(|| slug(&text)));
                    out.headings.push(Heading { level, text, anchor });
                }
                out.text.push('\n');
            }
            Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                link = Some(RawLink {
                    target: dest_url.to_string(),
                    label: String::new(),
                    wiki: matches!(link_type, LinkType::WikiLink { .. }),
                    image: false,
                    line: line_of(range.start),
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                link = Some(RawLink {
                    target: dest_url.to_string(),
                    label: String::new(),
                    wiki: false,
                    image: true,
                    line: line_of(range.start),
                });
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                if let Some(mut l) = link.take() {
                    l.label = l.label.trim().to_string();
                    out.links.push(l);
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                push_text(&mut out.text, &mut heading, &mut link, &t);
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                let stripped = strip_tags(&h);
                push_text(&mut out.text, &mut heading, &mut link, &stripped);
            }
            Event::FootnoteReference(_) | Event::SoftBreak | Event::HardBreak | Event::Rule => out.text.push(' '),
            Event::TaskListMarker(_) => {}
            Event::Start(_) => out.text.push(' '),
            Event::End(_) => out.text.push('\n'),
        }
    }
    out
}

fn push_text(
    text: &mut String,
    heading: &mut Option<(u8, String, Option<String>)>,
    link: &mut Option<RawLink>,
    t: &str,
) {
    text.push_str(t);
    if let Some((_, h, _)) = heading {
        h.push_str(t);
    }
    if let Some(l) = link {
        l.label.push_str(t);
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Text of an HTML fragment without its tags (entities left as written).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// A GitHub-style anchor: lowercase, letters and digits of any script kept, spaces to `-`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() || c == '\u{200C}' {
            out.extend(c.to_lowercase());
        } else if (c == ' ' || c == '-' || c == '_') && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Makes repeated anchors unique the way GitHub does (`a`, `a-1`, `a-2`).
#[derive(Default)]
struct Anchors(std::collections::HashMap<String, usize>);

impl Anchors {
    fn unique(&mut self, base: String) -> String {
        let base = if base.is_empty() { "section".to_string() } else { base };
        let n = self.0.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            base
        } else {
            format!("{base}-{}", *n - 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_without_syntax_and_blocks_apart() {
        let e = extract("# Title\nPara *one*.\n\n- item\n- two\n\n```rust\nlet x = 1;\n```\n<div>html <b>bold</b></div>\n\n| a | b |\n|---|---|\n| c | d |\n");
        assert_eq!(e.h1.as_deref(), Some("Title"));
        let words: Vec<&str> = e.text.split_whitespace().collect();
        assert_eq!(
            words,
            ["Title", "Para", "one", ".", "item", "two", "let", "x", "=", "1;", "html", "bold", "a", "b", "c", "d"]
        );
    }

    #[test]
    fn headings_anchors_and_links() {
        let e = extract("## Intro\n## Intro\n### درس‌آموخته‌ها\nSee [[vendor-onboarding|the lesson]] and [x](../a/b.md#top) ![img](pic.png)\n");
        let anchors: Vec<&str> = e.headings.iter().map(|h| h.anchor.as_str()).collect();
        assert_eq!(anchors, ["intro", "intro-1", "درس\u{200c}آموخته\u{200c}ها"]);
        assert_eq!(e.h1, None);
        assert_eq!(e.links.len(), 3);
        assert!(e.links[0].wiki && e.links[0].target == "vendor-onboarding" && e.links[0].label == "the lesson");
        assert_eq!(e.links[1].target, "../a/b.md#top");
        assert!(e.links[2].image);
        assert!(e.links.iter().all(|l| l.line == 4));
    }

    #[test]
    fn gfm_extensions() {
        let e = extract("- [x] done task\n\n~~old~~ new[^1]\n\n[^1]: the footnote\n");
        for w in ["done", "task", "old", "new", "footnote"] {
            assert!(e.text.contains(w), "{w} missing from {:?}", e.text);
        }
    }
}
