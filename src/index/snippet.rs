//! Snippets: the best short passage of a note's text for a query, as HTML whose only tags are
//! `<mark>`. Matches are found by running the same analysers over the stored text, so the marks sit
//! on the original characters whatever form the query used (a half-space, Arabic letters,
//! diacritics, a typo, a prefix).

use std::ops::ControlFlow;

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::analysis;

/// What a query matches, for highlighting: terms grouped by the query word they stand for.
///
/// The forms of one word (its spellings, a typo of it, a prefix, its stems) are one word: a
/// window holding two of them holds no more of the query than one holding either. The parts a
/// word or phrase may be written in (`درس` and `آموخته` for `درس‌آموخته`, the words of a phrase)
/// are each a word of their own, so a window holding all of them holds more.
#[derive(Debug, Default, Clone)]
pub struct Marks {
    /// Main-field terms, and their word.
    exact: HashMap<String, u32>,
    /// Expanded-field terms (parts, loose forms, stems), and their word.
    expanded: HashMap<String, u32>,
    /// Terms matched within an edit distance, with the distance and their word.
    fuzzy: Vec<(String, u8, u32)>,
    /// Terms matched as a prefix, and their word.
    prefix: Vec<(String, u32)>,
    /// The word forms are marked for now.
    word: u32,
    /// Words started.
    words: u32,
}

/// Characters of context in a snippet.
const WINDOW_CHARS: usize = 220;

/// A match: its byte range in the text, and the query word it stands for.
type Match = (usize, usize, u32);

impl Marks {
    /// Starts a query word: the forms marked next are this word's.
    pub fn word(&mut self) {
        self.word = self.words;
        self.words += 1;
    }

    /// A main-field form of the current word.
    pub fn form(&mut self, term: impl Into<String>) {
        self.exact.entry(term.into()).or_insert(self.word);
    }

    /// A main-field term that is a word of its own: a part the current word may be written in,
    /// or a word of a phrase.
    pub fn part(&mut self, term: impl Into<String>) {
        let word = self.words;
        if let std::collections::hash_map::Entry::Vacant(e) = self.exact.entry(term.into()) {
            e.insert(word);
            self.words += 1;
        }
    }

    /// An expanded-field form (part, loose spelling, stem) of the current word.
    pub fn expanded(&mut self, term: impl Into<String>) {
        self.expanded.entry(term.into()).or_insert(self.word);
    }

    /// The current word, matched within `distance` edits.
    pub fn fuzzy(&mut self, term: impl Into<String>, distance: u8) {
        self.fuzzy.push((term.into(), distance, self.word));
    }

    /// The current word, matched as a prefix.
    pub fn prefix(&mut self, term: impl Into<String>) {
        self.prefix.push((term.into(), self.word));
    }

    /// How many words are matched within an edit distance.
    pub fn fuzzy_words(&self) -> usize {
        self.fuzzy.len()
    }

    fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.expanded.is_empty() && self.fuzzy.is_empty() && self.prefix.is_empty()
    }

    /// How many distinct words a window can hold: those with a main-field term to match.
    fn most_main_words(&self) -> usize {
        let mut words: HashSet<u32> = self.exact.values().copied().collect();
        words.extend(self.fuzzy.iter().map(|f| f.2));
        words.extend(self.prefix.iter().map(|p| p.1));
        words.len()
    }

    /// The word `term` matches in a main field, if any.
    fn hits_main(&self, term: &str) -> Option<u32> {
        self.exact
            .get(term)
            .copied()
            .or_else(|| self.prefix.iter().find(|p| term.starts_with(p.0.as_str())).map(|p| p.1))
            .or_else(|| self.fuzzy.iter().find(|(t, d, _)| within(t, term, usize::from(*d))).map(|f| f.2))
    }
}

/// Byte ranges of `text` its main forms match, sorted and merged, with the word each one matched;
/// those that cannot change the snippet may be left out.
///
/// The window shown is the earliest holding the most distinct query words. Once a window holds
/// every word the query can mark, no later one holds more: the scan stops past it, and a single
/// word's snippet reads the body only up to a little after its first match. (The check runs on
/// the matches as found; when merging overlapping ones leaves that window short of a word, the
/// whole text is scanned after all.)
fn main_matches(text: &str, marks: &Marks) -> Vec<Match> {
    let most = marks.most_main_words();
    let mut out: Vec<Match> = Vec::new();
    let mut distinct: HashSet<u32> = HashSet::default();
    let mut settled_at = usize::MAX;
    let mut cut = false;
    analysis::for_each_main_token(text, |term, from, to| {
        if from > settled_at {
            cut = true;
            return ControlFlow::Break(());
        }
        if let Some(word) = marks.hits_main(term) {
            out.push((from, to, word));
            if settled_at == usize::MAX {
                distinct.insert(word);
                if distinct.len() == most {
                    settled_at = complete_window(&out, most).map_or(usize::MAX, |start| settled(text, start));
                }
            }
        }
        ControlFlow::Continue(())
    });
    let merged = merge(out);
    if cut && best_window(&merged).1 != most {
        return all_main_matches(text, marks);
    }
    merged
}

/// Every match of the main forms in `text`, from a scan of the whole text, sorted and merged.
fn all_main_matches(text: &str, marks: &Marks) -> Vec<Match> {
    let mut all: Vec<Match> = Vec::new();
    analysis::for_each_main_token(text, |term, from, to| {
        if let Some(word) = marks.hits_main(term) {
            all.push((from, to, word));
        }
        ControlFlow::Continue(())
    });
    merge(all)
}

/// The byte offset past which no token changes the snippet of a window starting at `start`: the
/// end of its matches (`2 * WINDOW_CHARS` bytes) and of the text shown (`WINDOW_CHARS`
/// characters), with room for a token that starts before the one ahead of it (the analyser
/// emits them in order of their starts; a form glued from two words comes before the second).
fn settled(text: &str, start: usize) -> usize {
    let shown = text[start..].char_indices().nth(WINDOW_CHARS).map_or(text.len(), |(i, _)| start + i);
    shown.max(start + WINDOW_CHARS * 2) + 64
}

/// The start of a window holding `most` distinct words that takes in the last of `found`, if any.
fn complete_window(found: &[Match], most: usize) -> Option<usize> {
    let last = found.last()?;
    let from = found.iter().rposition(|m| m.0 + WINDOW_CHARS * 2 < last.1).map_or(0, |i| i + 1);
    (from..found.len()).find_map(|i| (words_in_window(found, i) == most).then_some(found[i].0))
}

/// How many distinct words the window starting at `found[i]` holds.
fn words_in_window(found: &[Match], i: usize) -> usize {
    let limit = found[i].0 + WINDOW_CHARS * 2;
    let mut seen: HashSet<u32> = HashSet::default();
    for other in found[i..].iter().take_while(|o| o.1 <= limit) {
        seen.insert(other.2);
    }
    seen.len()
}

/// The window holding the most distinct words, earliest first: the index in `found` of its first
/// match, and how many words it holds.
fn best_window(found: &[Match]) -> (usize, usize) {
    let mut best = (0usize, 0usize);
    for i in 0..found.len() {
        let n = words_in_window(found, i);
        if n > best.1 {
            best = (i, n);
        }
    }
    best
}

/// Byte ranges of `text` (at `base` in the whole text) the expanded forms match: parts, loose
/// spellings, stems, and the main forms they include. A second, costlier analysis, unmerged.
fn expanded_matches(text: &str, marks: &Marks, base: usize) -> Vec<Match> {
    let mut out: Vec<Match> = Vec::new();
    analysis::for_each_expanded_token(text, |term, from, to| {
        if let Some(&word) = marks.expanded.get(term) {
            out.push((base + from, base + to, word));
        }
        ControlFlow::Continue(())
    });
    out
}

fn merge(mut out: Vec<Match>) -> Vec<Match> {
    out.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));
    let mut merged: Vec<Match> = Vec::with_capacity(out.len());
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
    let found = if marks.is_empty() { Vec::new() } else { main_matches(text, marks) };
    render_from(text, marks, found, summary)
}

/// [`render`], given the matches of the main forms.
fn render_from(text: &str, marks: &Marks, mut found: Vec<Match>, summary: Option<&str>) -> String {
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
    let first = &found[best_window(&found).0];
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

    /// Marks of query words of one form each.
    fn marks(words: &[&str]) -> Marks {
        let mut m = Marks::default();
        for w in words {
            m.word();
            m.form(*w);
        }
        m
    }

    /// `m` and a word matched by its expanded forms (stems) only.
    fn with_stems(mut m: Marks, word: &str) -> Marks {
        m.word();
        analysis::expanded_tokens(word).into_iter().for_each(|t| m.expanded(t.text));
        m
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
        let text = format!("{} the vendor onboarded late {}", "filler ".repeat(100), "tail ".repeat(100));
        // A main form chooses the window; the stem shares it.
        let both = with_stems(marks(&["vendor"]), "onboarding");
        let html = render(&text, &both, None);
        assert!(html.contains("<mark>vendor</mark> <mark>onboarded</mark>"), "{html}");
        // Only the stem matches: it still moves the window to itself.
        let alone = with_stems(Marks::default(), "onboarding");
        let html = render(&text, &alone, None);
        assert!(html.starts_with("… ") && html.contains("<mark>onboarded</mark>"), "{html}");
    }

    #[test]
    fn forms_of_one_word_count_once_and_its_parts_count_apart() {
        // Two spellings of one word, close together, are no better than the word's first match.
        let mut spellings = Marks::default();
        spellings.word();
        spellings.form("ریسک");
        spellings.form("ريسك");
        let text = format!("ریسک اول {} ریسک و ريسك {}", "پر ".repeat(200), "دم ".repeat(200));
        let html = render(&text, &spellings, None);
        assert!(html.starts_with("<mark>ریسک</mark> اول"), "{html}");
        // The parts a half-space word may be written in are words of their own: the window where
        // both stand beats an earlier one with one part.
        let mut parts = Marks::default();
        parts.word();
        parts.form("درس‌آموخته");
        parts.part("درس");
        parts.part("آموخته");
        let text = format!("درس اول {} این درس آموخته ماند {}", "پر ".repeat(200), "دم ".repeat(200));
        let html = render(&text, &parts, None);
        assert!(html.contains("<mark>درس</mark> <mark>آموخته</mark>"), "{html}");
    }

    #[test]
    fn a_scan_that_stops_early_shows_what_the_whole_scan_shows() {
        // Texts where the words meet early, late, never, in several forms, a typo and a prefix.
        let vocabulary = ["vendor", "vendors", "onboarding", "late", "vendr", "filler", "risk", "ریسک", "ريسك", "x"];
        let mut seed = 7u64;
        let mut stopped_early = 0;
        for case in 0..400 {
            let words: Vec<&str> = (0..300 + case % 700)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    let r = (seed >> 33) as usize;
                    if r.is_multiple_of(20) {
                        vocabulary[r / 20 % vocabulary.len()]
                    } else {
                        "filler"
                    }
                })
                .collect();
            let text = words.join(if case % 3 == 0 { "  " } else { " " });
            let mut m = Marks::default();
            m.word();
            m.form("vendor");
            match case % 4 {
                0 => m.fuzzy("vendor", 1),
                1 => m.prefix("vend"),
                _ => {}
            }
            if case % 2 == 0 {
                m.word();
                m.form("onboarding");
                m.part("risk");
            }
            if case % 5 == 0 {
                m.word();
                m.form("ریسک");
            }
            let (found, all) = (main_matches(&text, &m), all_main_matches(&text, &m));
            stopped_early += usize::from(found.len() < all.len());
            let (chosen, whole) = (best_window(&found), best_window(&all));
            assert_eq!(chosen, whole, "case {case}");
            if let Some(first) = found.get(chosen.0) {
                let end = settled(&text, first.0) - 64;
                let shown =
                    |ms: &[Match]| ms.iter().filter(|x| x.0 >= first.0 && x.1 <= end).copied().collect::<Vec<_>>();
                assert_eq!(shown(&found), shown(&all), "case {case}: the matches in the window");
                assert_eq!(render(&text, &m, None), render_from(&text, &m, all, None), "case {case}");
            }
        }
        // Both ways are tried: the scan stopped early in about half the cases.
        assert!((150..350).contains(&stopped_early), "the scan stopped early in {stopped_early} of 400 cases");
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
