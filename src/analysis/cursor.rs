//! `Cursor`: walks the original text and yields classified characters with their byte spans.
//!
//! This is where NFKC happens: a character that needs a compatibility decomposition (a
//! presentation form copied from a PDF, a lam-alef ligature, a full-width digit) is decomposed
//! here and every piece carries the span of the original character, so offsets always point
//! into the text the user wrote. Canonical recomposition (hamza, madda, Latin accents) is done
//! by the consumers against the last character they kept.
//!
//! The cursor owns no reference to the text (the text is passed to every call) so it can live
//! in a tokenizer between documents and keep its buffer.

use std::collections::VecDeque;

use unicode_normalization::char::decompose_compatible;

use super::char_class::{
    arabic_identity_run, classify, classify_ascii, classify_decomposed, is_ascii_space, CharClass,
};

/// One classified character and the byte span of the source character it came from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Raw {
    pub class: CharClass,
    pub from: usize,
    pub to: usize,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Cursor {
    /// Byte offset of the next unread source character.
    pos: usize,
    /// One character of lookahead (`peek`).
    lookahead: Option<Raw>,
    /// Pieces of a decomposed source character not handed out yet.
    decomposed: VecDeque<Raw>,
}

impl Cursor {
    pub(crate) fn reset(&mut self) {
        self.pos = 0;
        self.lookahead = None;
        self.decomposed.clear();
    }

    #[inline]
    pub(crate) fn next(&mut self, text: &str) -> Option<Raw> {
        match self.lookahead.take() {
            Some(raw) => Some(raw),
            None => self.pull(text),
        }
    }

    #[inline]
    pub(crate) fn peek(&mut self, text: &str) -> Option<Raw> {
        if self.lookahead.is_none() {
            self.lookahead = self.pull(text);
        }
        self.lookahead
    }

    /// Drops the peeked character.
    #[inline]
    pub(crate) fn consume(&mut self) {
        self.lookahead = None;
    }

    /// The source text after the peeked character, when the peeked character is a whole source
    /// character (not a piece of a decomposition): used for the short lookaheads that decide
    /// whether a separator sits between digits or an apostrophe starts a possessive `'s`.
    #[inline]
    pub(crate) fn rest_after_peeked<'t>(&self, text: &'t str) -> Option<&'t str> {
        if self.decomposed.is_empty() {
            text.get(self.pos..)
        } else {
            None
        }
    }

    /// Skips `bytes` bytes of source text after the peeked character (which is consumed too).
    #[inline]
    pub(crate) fn skip_after_peeked(&mut self, text: &str, bytes: usize) {
        self.lookahead = None;
        self.pos = (self.pos + bytes).min(text.len());
    }

    /// Whether the next character is ASCII whitespace, read from the text without classifying it
    /// or filling the lookahead (a word's usual end: the next word's read skips it).
    #[inline]
    pub(crate) fn at_ascii_space(&self, text: &str) -> bool {
        self.lookahead.is_none()
            && self.decomposed.is_empty()
            && text.as_bytes().get(self.pos).is_some_and(|&b| is_ascii_space(b))
    }

    /// The next character when it needs no lookahead, decomposition or table look-up (the usual
    /// start of a word): an ASCII letter or digit, or an Arabic letter that normalises to itself
    /// (a `Letter` of itself, as `classify` says).
    #[inline]
    pub(crate) fn next_plain(&mut self, text: &str) -> Option<Raw> {
        if self.lookahead.is_some() || !self.decomposed.is_empty() {
            return None;
        }
        let bytes = text.as_bytes().get(self.pos..)?;
        let (class, len) = match *bytes.first()? {
            b if b.is_ascii_alphanumeric() => (classify_ascii(char::from(b)), 1),
            _ if arabic_identity_run(bytes.get(..2)?) == 2 => {
                (CharClass::Letter(text.get(self.pos..)?.chars().next()?), 2)
            }
            _ => return None,
        };
        let from = self.pos;
        self.pos += len;
        Some(Raw { class, from, to: from + len })
    }

    /// Skips ASCII separators at the cursor; false if any of them was not whitespace.
    #[inline]
    pub(crate) fn skip_ascii_separators(&mut self, text: &str) -> bool {
        let mut only_space = true;
        if self.lookahead.is_some() || !self.decomposed.is_empty() {
            return only_space;
        }
        for &b in text.as_bytes().get(self.pos..).unwrap_or_default() {
            if b.is_ascii_alphanumeric() || !b.is_ascii() {
                break;
            }
            only_space &= is_ascii_space(b);
            self.pos += 1;
        }
        only_space
    }

    /// Takes the run of ASCII letters and digits at the cursor (empty if something is buffered).
    #[inline]
    pub(crate) fn take_ascii_run<'t>(&mut self, text: &'t str) -> &'t str {
        self.take_run(text, |bytes| bytes.iter().take_while(|b| b.is_ascii_alphanumeric()).count())
    }

    /// Takes the run of Arabic letters that normalise to themselves at the cursor.
    #[inline]
    pub(crate) fn take_arabic_run<'t>(&mut self, text: &'t str) -> &'t str {
        self.take_run(text, arabic_identity_run)
    }

    /// Fast path for the common case: `measure` gives the length of a run of characters that
    /// need no classification, which the caller copies as is.
    #[inline]
    fn take_run<'t>(&mut self, text: &'t str, measure: impl Fn(&[u8]) -> usize) -> &'t str {
        if self.lookahead.is_some() || !self.decomposed.is_empty() {
            return "";
        }
        let start = self.pos;
        let len = text.as_bytes().get(start..).map_or(0, &measure);
        // Both measures stop on character boundaries; `get` keeps that a non-panicking fact.
        match text.get(start..start + len) {
            Some(run) => {
                self.pos = start + len;
                run
            }
            None => "",
        }
    }

    fn pull(&mut self, text: &str) -> Option<Raw> {
        if let Some(raw) = self.decomposed.pop_front() {
            return Some(raw);
        }
        let c = match text.as_bytes().get(self.pos) {
            Some(&b) if b.is_ascii() => char::from(b),
            _ => text.get(self.pos..)?.chars().next()?,
        };
        let from = self.pos;
        let to = from + c.len_utf8();
        self.pos = to;
        match classify(c) {
            CharClass::Compat => {
                let queue = &mut self.decomposed;
                decompose_compatible(c, |piece| {
                    queue.push_back(Raw { class: classify_decomposed(piece), from, to });
                });
                // A decomposition is never empty; should it be, the character is a separator.
                Some(self.decomposed.pop_front().unwrap_or(Raw { class: CharClass::Punct(c), from, to }))
            }
            class => Some(Raw { class, from, to }),
        }
    }
}
