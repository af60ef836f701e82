//! `Word`: one source word, normalised, with its compound parts and original byte span.
//!
//! A word is a run of letters and digits. Inside it, ZWNJ is not a boundary but a part
//! separator (`گزارش‌ها` is one word, text `گزارشها`, parts `گزارش` + `ها`); so is a switch
//! between the Arabic and another script (`API‌ها`, `APIها`). Digits joined by `/` or `-`
//! (Jalali dates `۱۴۰۳/۰۲/۱۵`) are one word whose parts are the digit groups; `.` and `٫`
//! between digits are a decimal point and `,`/`٬` before a group of three digits a thousands
//! separator. Removed marks (harakat, tatweel) extend the span of the letter they sit on, so
//! `to` covers them; transparent characters (ZWJ, bidi marks) do not. The ezafe written
//! `ه‌ی` folds to `ه`, like `هٔ` and `ۀ`.

use super::char_class::{compose_arabic, is_any_digit, is_arabic_letter, CharClass};
use super::cursor::Cursor;

/// Most parts recorded for one word.
const MAX_PARTS: usize = 32;

/// A compound part: `start..end` in `Word::text`, `from..to` in the source text.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Part {
    pub start: usize,
    pub end: usize,
    pub from: usize,
    pub to: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Script {
    None,
    Arabic,
    Other,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Word {
    /// Normalised, lowercased, ZWNJ removed.
    pub text: String,
    /// Byte span in the source text.
    pub from: usize,
    pub to: usize,
    /// Compound parts; empty when the word has only one.
    pub parts: Vec<Part>,
    /// Digit groups joined by `/` or `-` (dates, ranges): its parts are indexed in the main field.
    pub numeric: bool,
    /// Contains an Arabic-script letter.
    pub arabic: bool,
    /// Contains a letter of another script.
    pub other: bool,
    /// Only whitespace (or invisible characters) separates it from the previous word, so a
    /// clitic may be glued across the gap.
    pub spaced: bool,
}

impl Word {
    fn clear(&mut self) {
        self.text.clear();
        self.parts.clear();
        self.numeric = false;
        self.arabic = false;
        self.other = false;
        self.spaced = true;
    }

    /// Reads the next word from `cursor`; false at the end of the text.
    pub(crate) fn read(&mut self, cursor: &mut Cursor, text: &str) -> bool {
        self.clear();
        let first = loop {
            if !cursor.skip_ascii_separators(text) {
                self.spaced = false;
            }
            if let Some(raw) = cursor.next_plain(text) {
                break raw;
            }
            let Some(raw) = cursor.next(text) else {
                return false;
            };
            match raw.class {
                CharClass::Letter(_) | CharClass::Digit(_) => break raw,
                CharClass::Punct(_) | CharClass::DecimalSep | CharClass::ThousandsSep | CharClass::Compat => {
                    self.spaced = false
                }
                _ => {}
            }
        };
        self.from = first.from;
        self.to = first.to;
        let mut builder = PartBuilder { start: 0, from: first.from, split: false };
        let mut script = Script::None;
        self.push_char(first.class, &mut script, &mut builder, first.from);
        let mut after_zwnj = false;

        loop {
            if !after_zwnj {
                self.take_runs(cursor, text, &mut script);
            }
            // The usual end of a word, seen without classifying it (it is `Space`).
            if cursor.at_ascii_space(text) {
                break;
            }
            let Some(raw) = cursor.peek(text) else {
                break;
            };
            match raw.class {
                CharClass::Letter(_) | CharClass::Digit(_) => {
                    if after_zwnj {
                        self.split(&mut builder, raw.from);
                        after_zwnj = false;
                    }
                    self.push_char(raw.class, &mut script, &mut builder, raw.from);
                    self.to = raw.to;
                }
                CharClass::Mark(mark) => {
                    self.compose_mark(mark);
                    self.to = raw.to;
                }
                CharClass::Madda | CharClass::HamzaAbove | CharClass::HamzaBelow => {
                    self.compose_hamza(raw.class);
                    self.to = raw.to;
                }
                CharClass::Diacritic => self.to = raw.to,
                CharClass::Ignorable => {}
                CharClass::Zwnj => after_zwnj = true,
                CharClass::Punct(_) | CharClass::DecimalSep | CharClass::ThousandsSep => {
                    if after_zwnj || !self.join_separator(cursor, text, raw.class, &mut builder) {
                        break;
                    }
                    continue;
                }
                CharClass::Space | CharClass::Compat => break,
            }
            cursor.consume();
        }
        if builder.split {
            self.push_part(&builder);
        }
        self.drop_ezafe_yeh();
        true
    }

    /// `برنامه‌ی` is the Academy's spelling of the ezafe also written `برنامهٔ` and `برنامۀ`;
    /// those fold to `برنامه` character by character, so this one does too (the span keeps
    /// covering the `ی`, as it covers the hamza of the others).
    fn drop_ezafe_yeh(&mut self) {
        let Some(last) = self.parts.last().copied() else {
            return;
        };
        let is_ezafe =
            last.end == self.text.len() && &self.text[last.start..] == "ی" && self.text[..last.start].ends_with('ه');
        if !is_ezafe || self.numeric {
            return;
        }
        self.text.truncate(last.start);
        self.parts.pop();
        if self.parts.len() < 2 {
            self.parts.clear();
        }
    }

    /// Records the part being read; a word of thousands of ZWNJ-joined pieces (a pasted blob)
    /// keeps only its first `MAX_PARTS`, so the work per word stays bounded.
    fn push_part(&mut self, builder: &PartBuilder) {
        if self.parts.len() < MAX_PARTS {
            self.parts.push(Part { start: builder.start, end: self.text.len(), from: builder.from, to: self.to });
        }
    }

    /// Copies runs of characters that need no classification (ASCII letters and digits, plain
    /// Arabic letters) in one go, as long as the script does not switch (that splits a part).
    #[inline]
    fn take_runs(&mut self, cursor: &mut Cursor, text: &str, script: &mut Script) {
        if *script != Script::Arabic {
            let run = cursor.take_ascii_run(text);
            if !run.is_empty() {
                let start = self.text.len();
                self.text.push_str(run);
                self.text[start..].make_ascii_lowercase();
                self.to = cursor_offset(cursor, text);
                if run.bytes().any(|b| b.is_ascii_alphabetic()) {
                    *script = Script::Other;
                    self.other = true;
                }
            }
        }
        if *script != Script::Other {
            let run = cursor.take_arabic_run(text);
            if !run.is_empty() {
                self.text.push_str(run);
                self.to = cursor_offset(cursor, text);
                *script = Script::Arabic;
                self.arabic = true;
            }
        }
    }

    #[inline]
    fn push_char(&mut self, class: CharClass, script: &mut Script, builder: &mut PartBuilder, from: usize) {
        match class {
            CharClass::Letter(c) => {
                let this = if is_arabic_letter(c) { Script::Arabic } else { Script::Other };
                if *script != Script::None && *script != this {
                    self.split(builder, from);
                }
                *script = this;
                if c.is_ascii() {
                    self.other = true;
                    self.text.push(c.to_ascii_lowercase());
                } else if this == Script::Arabic {
                    self.arabic = true;
                    self.text.push(c);
                } else {
                    self.other = true;
                    self.text.extend(c.to_lowercase());
                }
            }
            CharClass::Digit(d) => self.text.push(d),
            _ => {}
        }
    }

    /// Closes the current part before the character starting at `from`.
    fn split(&mut self, builder: &mut PartBuilder, from: usize) {
        self.push_part(builder);
        builder.start = self.text.len();
        builder.from = from;
        builder.split = true;
    }

    fn compose_mark(&mut self, mark: char) {
        let composed = self.text.chars().next_back().and_then(|last| unicode_normalization::char::compose(last, mark));
        match composed {
            Some(c) => {
                self.text.pop();
                self.text.push(c);
            }
            None => self.text.push(mark),
        }
    }

    fn compose_hamza(&mut self, mark: CharClass) {
        if let Some(c) = self.text.chars().next_back().and_then(|last| compose_arabic(last, mark)) {
            self.text.pop();
            self.text.push(c);
        }
    }

    /// Handles a separator met inside a word: keeps it (and returns true) when it joins digits.
    /// The separator is still the peeked character; on success it has been consumed.
    fn join_separator(&mut self, cursor: &mut Cursor, text: &str, class: CharClass, builder: &mut PartBuilder) -> bool {
        let Some(rest) = cursor.rest_after_peeked(text) else {
            return false;
        };
        let last = self.text.chars().next_back();
        if let CharClass::Punct('\'' | '\u{2019}') = class {
            return self.possessive(cursor, text, rest, last);
        }
        if !last.is_some_and(|c| c.is_ascii_digit()) || !rest.chars().next().is_some_and(is_any_digit) {
            return false;
        }
        match class {
            CharClass::DecimalSep | CharClass::Punct('.') => {
                self.text.push('.');
                cursor.consume();
                true
            }
            CharClass::ThousandsSep => {
                cursor.consume();
                true
            }
            CharClass::Punct(',') if is_thousands_group(rest) => {
                cursor.consume();
                true
            }
            CharClass::Punct(sep @ ('/' | '-')) => {
                let after = cursor_offset(cursor, text);
                self.split(builder, after);
                self.text.push(sep);
                builder.start = self.text.len();
                self.numeric = true;
                cursor.consume();
                true
            }
            _ => false,
        }
    }

    /// English possessive: `manager's` is indexed as `manager`. Consumes `'s` and ends the word
    /// (returns false so the reader stops) when the apostrophe is followed by a lone `s`.
    fn possessive(&mut self, cursor: &mut Cursor, text: &str, rest: &str, last: Option<char>) -> bool {
        let latin = last.is_some_and(|c| c.is_alphabetic() && !is_arabic_letter(c));
        let mut after = rest.chars();
        let is_s = matches!(after.next(), Some('s' | 'S'));
        let ends = after.next().is_none_or(|c| !c.is_alphanumeric());
        if latin && is_s && ends {
            cursor.skip_after_peeked(text, 1);
        }
        false
    }
}

/// Start of the part being read.
struct PartBuilder {
    start: usize,
    from: usize,
    split: bool,
}

/// Byte offset of the cursor (after the peeked character, if any) when nothing is buffered.
fn cursor_offset(cursor: &Cursor, text: &str) -> usize {
    cursor.rest_after_peeked(text).map_or(text.len(), |rest| text.len() - rest.len())
}

/// `rest` starts with exactly three digits (then a non-digit or the end): the comma before it
/// separates thousands (`1,400`), not list items (`1,2`).
fn is_thousands_group(rest: &str) -> bool {
    let mut chars = rest.chars();
    (0..3).all(|_| chars.next().is_some_and(is_any_digit)) && !chars.next().is_some_and(is_any_digit)
}
