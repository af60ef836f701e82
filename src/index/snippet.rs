//! Snippets: the best short passage of a note's text for a query, as HTML whose only tags are
//! `<mark>`. Matches are found by running the same analysers over the stored text, so the marks sit
//! on the original characters whatever form the query used (a half-space, Arabic letters,
//! diacritics, a typo, a prefix).

use rustc_hash::FxHashSet as HashSet;

use crate::analysis;

/// What a query matches, for highlighting.
#[derive(Debug, Default, Clone)]
pub struct Marks {
    /// Main-field terms.
    pub exact: HashSet<String>,
    /// Expanded-field terms (parts, loose forms, stems).
    pub expanded: HashSet<String>,
    /// Terms matched within an edit distance.
    pub fuzzy: Vec<(String, u8)>,
    /// Terms matched as a prefix.
    pub prefix: Vec<String>,
}

/// Characters of context in a snippet.
const WINDOW_CHARS: usize = 220;

impl Marks {
    fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.expanded.is_empty() && self.fuzzy.is_empty() && self.prefix.is_empty()
    }

    fn hits_main(&self, term: &str) -> bool {
        self.exact.contains(term)
            || self.prefix.iter().any(|p| term.starts_with(p.as_str()))
            || self.fuzzy.iter().any(|(t, d)| within(t, term, usize::from(*d)))
    }
}

/// Byte ranges of `text` its main forms match, sorted and merged, with the term each one matched.
fn main_matches(text: &str, marks: &Marks) -> Vec<(usize, usize, String)> {
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    analysis::for_each_main_token(text, |term, from, to| {
        if marks.hits_main(term) {
            out.push((from, to, term.to_string()));
        }
    });
    merge(out)
}

/// Byte ranges of `text` (at `base` in the whole text) the expanded forms match: parts, loose
/// spellings, stems, and the main forms they include. A second, costlier analysis, unmerged.
fn expanded_matches(text: &str, marks: &Marks, base: usize) -> Vec<(usize, usize, String)> {
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    analysis::for_each_expanded_token(text, |term, from, to| {
        if marks.expanded.contains(term) {
            out.push((base + from, base + to, term.to_string()));
        }
    });
    out
}

fn merge(mut out: Vec<(usize, usize, String)>) -> Vec<(usize, usize, String)> {
    out.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));
    let mut merged: Vec<(usize, usize, String)> = Vec::with_capacity(out.len());
    for m in out {
        match merged.last_mut() {
            Some(last) if m.0 < last.1 => last.1 = last.1.max(m.1),
            _ => merged.push(m),
        }
    }
    merged
}

/// The snippet of `text`; without any match, its opening (or the summary when the text is empty).
pub fn render(text: &str, marks: &Marks, summary: Option<&str>) -> String {
    // The window is chosen on the main forms; the expanded forms are then looked for only inside
    // it (where they are shown), unless the main forms found nothing at all. Analysing every
    // hit's whole body twice was most of a search's time (BENCHMARKS.md, the profile).
    let mut found = if marks.is_empty() { Vec::new() } else { main_matches(text, marks) };
    let mut window_only = true;
    if found.is_empty() && !marks.expanded.is_empty() {
        // No main form matched (a note found by a stem or a loose spelling): the expanded forms
        // choose the window; the main pass, which found nothing, is not run again.
        found = merge(expanded_matches(text, marks, 0));
        window_only = false;
    }
    if found.is_empty() {
        let source = if text.trim().is_empty() { summary.unwrap_or("") } else { text };
        let (start, end) = clamp(source, 0, WINDOW_CHARS);
        let opening = escape_collapsed(&source[start..end]);
        return opening.trim().to_string() + if end < source.len() { " …" } else { "" };
    }
    // The window holding the most distinct matched terms, earliest first.
    let mut best = (0usize, 0usize);
    for (i, m) in found.iter().enumerate() {
        let limit = m.0 + WINDOW_CHARS * 2;
        let mut seen: HashSet<&str> = HashSet::default();
        for other in found[i..].iter().take_while(|o| o.1 <= limit) {
            seen.insert(other.2.as_str());
        }
        if seen.len() > best.1 {
            best = (i, seen.len());
        }
    }
    let first = &found[best.0];
    // Start a little before the first match, at a word boundary.
    let lead = text[..first.0].char_indices().rev().take(40).last().map_or(first.0, |(i, _)| i);
    let lead = if lead == 0 {
        0
    } else {
        // After the space, whatever its width: a no-break or line-separator space is 2 or 3 bytes
        // (found by tests/it/robustness.rs searching the fuzz corpus: slicing inside U+2028 panicked).
        let space = text[lead..first.0].char_indices().find(|(_, c)| c.is_whitespace());
        space.map_or(lead, |(w, c)| lead + w + c.len_utf8()).min(first.0)
    };
    let (start, end) = clamp(text, lead, WINDOW_CHARS);
    if window_only && !marks.expanded.is_empty() {
        let mut more = expanded_matches(&text[start..end], marks, start);
        more.extend(found.into_iter().filter(|m| m.0 >= start && m.1 <= end));
        found = merge(more);
    }
    let mut html = String::new();
    if start > 0 {
        html.push_str("… ");
    }
    let mut pos = start;
    for m in found.iter().filter(|m| m.0 >= start && m.1 <= end) {
        html.push_str(&escape_collapsed(&text[pos..m.0]));
        html.push_str("<mark>");
        html.push_str(&escape_collapsed(&text[m.0..m.1]));
        html.push_str("</mark>");
        pos = m.1;
    }
    html.push_str(&escape_collapsed(&text[pos..end]));
    if end < text.len() {
        html.push_str(" …");
    }
    html.trim().to_string()
}

/// `(start, end)` byte range of about `chars` characters from `start`, ending at a word boundary.
fn clamp(text: &str, start: usize, chars: usize) -> (usize, usize) {
    let rest = &text[start..];
    let end = rest.char_indices().nth(chars).map_or(text.len(), |(i, _)| start + i);
    if end == text.len() {
        return (start, end);
    }
    let cut = text[start..end].rfind(char::is_whitespace).map_or(end, |i| start + i);
    (start, if cut > start { cut } else { end })
}

/// HTML-escaped text with runs of whitespace collapsed to one space.
fn escape_collapsed(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
        }
        space = false;
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// True when `a` and `b` are within `max` edits (Levenshtein with transpositions, by characters).
/// It runs for every token of every hit's body against each typo-tolerant word: ASCII compares
/// bytes, and nothing is allocated for words up to [`SHORT`] characters.
pub fn within(a: &str, b: &str, max: usize) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return within_units(a.as_bytes(), b.as_bytes(), max);
    }
    // Most tokens of a text differ in length from the query word by more than the budget.
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la.abs_diff(lb) > max {
        return false;
    }
    if la <= SHORT && lb <= SHORT {
        let (mut x, mut y) = (['\0'; SHORT], ['\0'; SHORT]);
        a.chars().zip(x.iter_mut()).for_each(|(c, slot)| *slot = c);
        b.chars().zip(y.iter_mut()).for_each(|(c, slot)| *slot = c);
        return within_units(&x[..la], &y[..lb], max);
    }
    within_units(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>(), max)
}

/// Longest word [`within`] compares without allocating.
const SHORT: usize = 48;

fn within_units<T: PartialEq>(a: &[T], b: &[T], max: usize) -> bool {
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    if b.len() > SHORT {
        return distance(a, b, &mut vec![0; 3 * (b.len() + 1)]) <= max;
    }
    distance(a, b, &mut [0; 3 * (SHORT + 1)]) <= max
}

/// Optimal string alignment distance, with three rows of `b.len() + 1` cells from `rows`.
fn distance<T: PartialEq>(a: &[T], b: &[T], rows: &mut [usize]) -> usize {
    let n = b.len() + 1;
    let (mut prev2, rest) = rows.split_at_mut(n);
    let (mut prev, rest) = rest.split_at_mut(n);
    let mut cur = &mut rest[..n];
    for (j, cell) in prev.iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[n - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(exact: &[&str]) -> Marks {
        Marks { exact: exact.iter().map(|s| s.to_string()).collect(), ..Default::default() }
    }

    #[test]
    fn only_mark_tags_survive() {
        let html = render("a <script>alert(1)</script> & vendor \"x\"", &marks(&["vendor"]), None);
        assert_eq!(html, "a &lt;script&gt;alert(1)&lt;/script&gt; &amp; <mark>vendor</mark> &quot;x&quot;");
    }

    #[test]
    fn window_moves_to_the_matches() {
        let text = format!("{} the vendor onboarding was late {}", "filler ".repeat(100), "tail ".repeat(100));
        let html = render(&text, &marks(&["vendor", "onboarding"]), None);
        assert!(html.starts_with("… "), "{html}");
        assert!(html.contains("<mark>vendor</mark> <mark>onboarding</mark>"), "{html}");
        assert!(html.chars().count() < 300);
    }

    #[test]
    fn the_window_starts_after_a_wide_space() {
        for space in ["\u{a0}", "\u{2009}", "\u{2028}", "\u{3000}"] {
            let text = format!("{}{space}x vendor", "a".repeat(60));
            let html = render(&text, &marks(&["vendor"]), None);
            assert_eq!(html, "… x <mark>vendor</mark>", "{space:?}");
        }
    }

    #[test]
    fn expanded_forms_are_marked_in_the_window_or_move_it_when_alone() {
        let stems = |w: &str| analysis::expanded_tokens(w).into_iter().map(|t| t.text).collect::<HashSet<_>>();
        let text = format!("{} the vendor onboarded late {}", "filler ".repeat(100), "tail ".repeat(100));
        // A main form chooses the window; the stem shares it.
        let both = Marks { expanded: stems("onboarding"), ..marks(&["vendor"]) };
        let html = render(&text, &both, None);
        assert!(html.contains("<mark>vendor</mark> <mark>onboarded</mark>"), "{html}");
        // Only the stem matches: it still moves the window to itself.
        let alone = Marks { expanded: stems("onboarding"), ..Marks::default() };
        let html = render(&text, &alone, None);
        assert!(html.starts_with("… ") && html.contains("<mark>onboarded</mark>"), "{html}");
    }

    #[test]
    fn no_match_gives_the_opening() {
        assert_eq!(render("short text", &Marks::default(), None), "short text");
        assert_eq!(render("", &Marks::default(), Some("the summary")), "the summary");
    }

    #[test]
    fn edit_distance() {
        assert!(within("onboarding", "onbaording", 1));
        assert!(within("مدیریت", "مدیرت", 1));
        assert!(!within("vendor", "vandal", 1));
        assert!(within("vendor", "vendro", 1), "a transposition is one edit");
        assert!(!within("vendor", "vnedro", 1));
        assert!(within("vendor", "vendor", 0));
        assert!(within("", "ab", 2) && !within("", "abc", 2));
        assert!(within("ريسك", "ریسک", 2) && !within("ريسك", "ریسک", 1), "Arabic and Persian letters differ");
        // Past the stack buffer, the same answers.
        let long = "x".repeat(60);
        assert!(within(&long, &format!("{long}y"), 1) && !within(&long, &format!("{long}yy"), 1));
        let long_fa = "ب".repeat(60);
        assert!(within(&long_fa, &format!("{long_fa}پ"), 1) && !within(&long_fa, &format!("پپ{long_fa}"), 1));
    }
}
