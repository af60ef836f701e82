//! Loose forms for the expanded field: the distinctions people often do not type.
//!
//! Persian keeps `آ`, `ئ`, `ؤ` and `ء` distinct from `ا`, `ی`, `و` (so the main field does too),
//! but they are routinely dropped on keyboards without them (`اموزش` for `آموزش`, `رییس` for
//! `رئیس`). For Latin words the loose form drops accents (`café` → `cafe`).

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Writes the loose form of the normalised `word` into `out`; false if it is the same.
pub(crate) fn loose_into(word: &str, out: &mut String) -> bool {
    out.clear();
    if !needs_loosening(word) {
        return false;
    }
    let mut changed = false;
    for c in word.chars() {
        let folded = match c {
            'آ' => Some('ا'),
            'ئ' => Some('ی'),
            'ؤ' => Some('و'),
            'ء' => None,
            _ => {
                if c.is_ascii() || is_persian_plain(c) {
                    out.push(c);
                } else {
                    // Latin (and other) accents: decompose and keep the base letters.
                    decompose_canonical(c, |piece| {
                        if is_combining_mark(piece) {
                            changed = true;
                        } else {
                            out.push(piece);
                        }
                    });
                }
                continue;
            }
        };
        changed = true;
        if let Some(f) = folded {
            out.push(f);
        }
    }
    changed && !out.is_empty()
}

/// Arabic-block characters other than the four handled above have no decomposition left after
/// the main normalisation; skipping the lookup keeps Persian text on the fast path.
#[inline]
fn is_persian_plain(c: char) -> bool {
    ('\u{0600}'..='\u{06FF}').contains(&c)
}

/// A byte scan that rules out most words before the char loop: only `آ` (D8 A2), `ؤ` (D8 A4),
/// `ئ` (D8 A6), `ء` (D8 A1) and characters outside ASCII and the Arabic block (lead bytes other
/// than D8–DB) can change.
#[inline]
fn needs_loosening(word: &str) -> bool {
    if word.is_ascii() {
        return false;
    }
    let bytes = word.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| match b {
        0xD8 => matches!(bytes.get(i + 1), Some(0xA1 | 0xA2 | 0xA4 | 0xA6)),
        0xC0..=0xD7 | 0xDC..=0xFF => true,
        _ => false,
    })
}
