//! Text analysis for Persian and English notes: normalisation, tokenization, stemming.
//!
//! One tokenizer (`DaftarTokenizer`) normalises inside the token stream and reports offsets
//! into the original text; it runs in two modes, registered on the index as [`MAIN`] (exact,
//! normalised words) and [`EXPANDED`] (the same plus compound parts, loose spellings and stems,
//! for a lower-weight field). The design and the test pairs come from
//! `shared/research/persian-analysis.md` (sections 7 and 8).
//!
//! Data flow: `Cursor` (source chars → classified chars, NFKC) → `Word` (letters and digits →
//! one normalised word with parts and span) → `DaftarTokenizer` (word → tokens, clitic gluing,
//! derived forms). [`normalize_value`] and [`fold_key`] apply the same character rules to whole
//! values (front-matter facets) without cutting them into words.

mod analyzed_token;
mod char_class;
mod clitic;
mod cursor;
mod daftar_tokenizer;
mod derived_memo;
mod english_stemmer;
mod loose_form;
mod persian_stemmer;
mod recorded;
mod spelling_variants;
mod stop_words;
mod value_normalizer;
mod word;

#[cfg(test)]
mod tests;

use std::ops::ControlFlow;

use tantivy::tokenizer::{TokenStream, Tokenizer, TokenizerManager};

pub use analyzed_token::AnalyzedToken;
use daftar_tokenizer::{daftar_tokenizer, Mode, Sharing};

/// Bump on ANY change to what tokens are produced; stored in the index, a change forces a rebuild.
pub const ANALYZER_VERSION: u32 = 2;

/// Tokenizer name of the main field analyzer.
pub const MAIN: &str = "daftar";

/// Tokenizer name of the lower-weight field analyzer (parts, loose forms, stems).
pub const EXPANDED: &str = "daftar_x";

/// Registers [`MAIN`] and [`EXPANDED`] on the index's tokenizer manager. The expanded analyser
/// replays the words the main one read when it is given the same text next, as tantivy does
/// field after field ([`recorded`]).
pub fn register(manager: &TokenizerManager) {
    manager.register(MAIN, daftar_tokenizer(Mode::Main).sharing(Sharing::Record));
    manager.register(EXPANDED, daftar_tokenizer(Mode::Extras).sharing(Sharing::Replay));
}

/// Character normalisation for facet values and exact-match keys (program, tags, experts,
/// status…): NFKC, Arabic→Persian letters, digits→ASCII, diacritics, tatweel, bidi marks and ZWJ
/// removed, ZWNJ collapsed and trimmed, whitespace collapsed and trimmed; case and ZWNJ inside
/// words are kept (the value is displayed).
pub fn normalize_value(s: &str) -> String {
    value_normalizer::normalize(s, false)
}

/// [`normalize_value`] plus lowercasing and the removal of spaces and ZWNJ: the key that compares
/// values case- and space-insensitively, so `برنامه‌ریزی`, `برنامه ریزی` and `برنامهریزی` are one
/// program, one facet value and one filter.
pub fn fold_key(s: &str) -> String {
    if s.is_ascii() {
        // The common case (paths, English names), without the character classes: for ASCII the
        // full rules reduce to dropping whitespace and lowercasing (tested equal).
        return s.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).collect();
    }
    value_normalizer::normalize(s, true).chars().filter(|c| !c.is_whitespace()).collect()
}

/// Tokens of `text` as the [`MAIN`] analyzer indexes them.
pub fn main_tokens(text: &str) -> Vec<AnalyzedToken> {
    collect(Mode::Main, text)
}

/// Calls `f` with each token of `text` as the [`MAIN`] analyzer indexes it (text and byte range),
/// without collecting them, until `f` breaks: snippets scan hits' bodies this way.
pub fn for_each_main_token(text: &str, mut f: impl FnMut(&str, usize, usize) -> ControlFlow<()>) {
    for_each(Mode::Main, text, |t| f(&t.text, t.offset_from, t.offset_to));
}

/// [`for_each_main_token`] for every token `text` matches in the [`EXPANDED`] field (its main
/// tokens and their derived forms, as [`expanded_tokens`]).
pub fn for_each_expanded_token(text: &str, mut f: impl FnMut(&str, usize, usize) -> ControlFlow<()>) {
    for_each(Mode::Expanded, text, |t| f(&t.text, t.offset_from, t.offset_to));
}

/// Calls `f` with each token of `text` in `mode`, until it breaks.
fn for_each(mode: Mode, text: &str, mut f: impl FnMut(&tantivy::tokenizer::Token) -> ControlFlow<()>) {
    let mut tokenizer = daftar_tokenizer(mode);
    let mut stream = tokenizer.token_stream(text);
    while stream.advance() {
        if f(stream.token()).is_break() {
            return;
        }
    }
}

/// Every token `text` matches in the [`EXPANDED`] field: its main tokens and their derived forms
/// (parts, loose spellings, stems). The field itself indexes only the derived forms
/// ([`extra_tokens`]); a query looks for all of these in it.
pub fn expanded_tokens(text: &str) -> Vec<AnalyzedToken> {
    collect(Mode::Expanded, text)
}

/// Tokens of `text` as the [`EXPANDED`] analyzer indexes them: only the forms that differ from
/// the main tokens, at the same positions.
pub fn extra_tokens(text: &str) -> Vec<AnalyzedToken> {
    collect(Mode::Extras, text)
}

/// Is this normalised term a Persian or English stop word? (Query side: stop words are not
/// counted among the terms a note must match; nothing is removed at index time.)
pub fn is_stop_word(term: &str) -> bool {
    stop_words::is_stop_word(term)
}

/// Other spellings of a normalised term (hamza seats, Arabic/Persian loanword spellings), each
/// normalised as the main field indexes it; the term itself is not included.
pub fn variants(term: &str) -> Vec<String> {
    spelling_variants::variants(term)
}

fn collect(mode: Mode, text: &str) -> Vec<AnalyzedToken> {
    let mut tokens = Vec::new();
    for_each(mode, text, |t| {
        tokens.push(AnalyzedToken { text: t.text.clone(), from: t.offset_from, to: t.offset_to, position: t.position });
        ControlFlow::Continue(())
    });
    tokens
}
