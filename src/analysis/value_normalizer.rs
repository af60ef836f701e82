//! Normalisation of whole values (facets, tags, names, statuses): the text is kept, only its
//! spelling is made canonical.
//!
//! Same character rules as the tokenizer (NFKC, Arabic→Persian letters, ASCII digits, marks and
//! invisible characters removed) but punctuation stays, whitespace is collapsed to one space,
//! and, for display, case and word-internal ZWNJ are kept unless folding.

use super::char_class::{compose_arabic, CharClass};
use super::cursor::Cursor;

/// `fold`: also lowercase and drop ZWNJ (the comparison key).
pub(crate) fn normalize(s: &str, fold: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut cursor = Cursor::default();
    let mut space = false;
    let mut zwnj = false;
    // An Arabic decimal or thousands separator right after a digit, waiting to see whether a
    // digit follows (invisible characters in between do not count).
    let mut separator: Option<CharClass> = None;
    while let Some(raw) = cursor.next(s) {
        if let Some(sep) = separator {
            match raw.class {
                CharClass::Ignorable
                | CharClass::Diacritic
                | CharClass::Zwnj
                | CharClass::Madda
                | CharClass::HamzaAbove
                | CharClass::HamzaBelow => continue,
                CharClass::Digit(_) => {
                    if sep == CharClass::DecimalSep {
                        out.push('.');
                    }
                }
                _ => out.push(separator_char(sep)),
            }
            separator = None;
        }
        match raw.class {
            CharClass::Letter(c) | CharClass::Digit(c) => {
                let after_word = out.chars().next_back().is_some_and(char::is_alphanumeric);
                if space && !out.is_empty() {
                    out.push(' ');
                } else if zwnj && !fold && after_word {
                    out.push('\u{200C}');
                }
                space = false;
                zwnj = false;
                if fold {
                    out.extend(c.to_lowercase());
                } else {
                    out.push(c);
                }
            }
            CharClass::Mark(mark) => {
                // A mark with nothing to sit on is dropped.
                if let Some(last) = out.chars().next_back().filter(|_| !space && !zwnj) {
                    match unicode_normalization::char::compose(last, mark) {
                        Some(c) => {
                            out.pop();
                            out.push(c);
                        }
                        None => out.push(mark),
                    }
                }
            }
            CharClass::Madda | CharClass::HamzaAbove | CharClass::HamzaBelow => {
                let composed = out.chars().next_back().and_then(|last| compose_arabic(last, raw.class));
                if let Some(c) = composed.filter(|_| !space && !zwnj) {
                    out.pop();
                    out.push(c);
                }
            }
            CharClass::Diacritic | CharClass::Ignorable | CharClass::Compat => {}
            CharClass::Zwnj => zwnj = !space,
            CharClass::Space => {
                space = true;
                zwnj = false;
            }
            CharClass::DecimalSep | CharClass::ThousandsSep => {
                if !space && out.chars().next_back().is_some_and(|c| c.is_ascii_digit()) {
                    separator = Some(raw.class);
                } else {
                    push_punct(&mut out, &mut space, separator_char(raw.class));
                }
                zwnj = false;
            }
            CharClass::Punct(c) => {
                push_punct(&mut out, &mut space, c);
                zwnj = false;
            }
        }
    }
    if let Some(sep) = separator {
        out.push(separator_char(sep));
    }
    out
}

/// The separator as written, when it does not sit between digits.
fn separator_char(class: CharClass) -> char {
    if class == CharClass::DecimalSep {
        '\u{066B}'
    } else {
        '\u{066C}'
    }
}

fn push_punct(out: &mut String, space: &mut bool, c: char) {
    if *space && !out.is_empty() {
        out.push(' ');
    }
    *space = false;
    out.push(c);
}
