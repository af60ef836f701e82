//! The per-character normalisation table: what each code point becomes before words are cut.
//!
//! Everything the analyzers know about single characters lives here (Arabic→Persian letter
//! folding, digit folding, which marks vanish, which invisible characters are transparent), so
//! the tokenizer, the value normaliser and the tests all agree. Multi-character rules (hamza and
//! madda composing with the previous letter, separators between digits, ZWNJ placement) are the
//! callers' business: this table only tags the characters they need to look at.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfkc_quick, IsNormalized};

/// What one character means to the analyzers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CharClass {
    /// A letter, already folded to its canonical Persian form; case is left to the caller.
    Letter(char),
    /// A decimal digit, folded to ASCII.
    Digit(char),
    /// A combining mark that survives (Latin accents): composes with the previous letter if it can.
    Mark(char),
    /// U+0653 maddah above: `ا` + `ٓ` is `آ`.
    Madda,
    /// U+0654 hamza above: `و`→`ؤ`, `ی`→`ئ`, and vanishes elsewhere (`ه` + `ٔ` is the ezafe).
    HamzaAbove,
    /// U+0655 hamza below: `ا` + `ٕ` is `إ`, which folds to `ا` anyway, so it always vanishes.
    HamzaBelow,
    /// Removed, but belongs to the preceding letter (harakat, tatweel, Quranic marks), so a
    /// highlight of the word still covers it.
    Diacritic,
    /// Removed and transparent: ZWJ, bidi controls, BOM, soft hyphen, variation selectors.
    Ignorable,
    /// U+200C zero-width non-joiner: joins the parts of a compound word.
    Zwnj,
    /// U+066B Arabic decimal separator (`.` when between digits).
    DecimalSep,
    /// U+066C Arabic thousands separator (dropped when between digits).
    ThousandsSep,
    /// Whitespace, NBSP and ZWSP included.
    Space,
    /// Any other separator: punctuation, symbols, emoji. `٪` is already mapped to `%`.
    Punct(char),
    /// Needs NFKC compatibility decomposition first (presentation forms, ligatures, full-width
    /// forms...); the cursor decomposes it and classifies the pieces.
    Compat,
}

/// Classifies a character as it appears in the source text.
#[inline]
pub(crate) fn classify(c: char) -> CharClass {
    if c.is_ascii() {
        return classify_ascii(c);
    }
    if ('\u{0600}'..='\u{06FF}').contains(&c) {
        return classify_arabic(c);
    }
    if let Some(class) = classify_special(c) {
        return class;
    }
    // NFKC only when the character needs it: the quick-check table answers Yes for almost
    // every letter, so the decomposition machinery is reached only by presentation forms,
    // ligatures, full-width forms and their kin.
    match is_nfkc_quick(std::iter::once(c)) {
        IsNormalized::Yes => classify_plain(c),
        IsNormalized::Maybe if is_combining_mark(c) => CharClass::Mark(c),
        _ => CharClass::Compat,
    }
}

/// Classifies a piece of an NFKC decomposition; never answers `Compat`, so decomposition cannot
/// loop (a few characters, like Hangul vowel jamo, are "Maybe" yet decompose to themselves).
pub(crate) fn classify_decomposed(c: char) -> CharClass {
    match classify(c) {
        CharClass::Compat => classify_plain(c),
        class => class,
    }
}

#[inline]
pub(crate) fn classify_ascii(c: char) -> CharClass {
    match c {
        'a'..='z' | 'A'..='Z' => CharClass::Letter(c),
        '0'..='9' => CharClass::Digit(c),
        _ if is_ascii_space(c as u8) => CharClass::Space,
        _ => CharClass::Punct(c),
    }
}

/// The ASCII bytes that are [`CharClass::Space`] (vertical tab included, unlike
/// `u8::is_ascii_whitespace`): the cursor skips and stops at them without classifying.
#[inline]
pub(crate) const fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0B' | b'\x0C')
}

/// The Arabic block U+0600–U+06FF, where nearly all of Persian lives.
#[inline]
const fn classify_arabic(c: char) -> CharClass {
    match c {
        // Harakat, tanvin, shadda, sukun and the rarer vowel signs; Quranic annotation marks.
        '\u{0610}'..='\u{061A}'
        | '\u{064B}'..='\u{0652}'
        | '\u{0656}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}'
        | '\u{06DF}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}'
        // Tatweel (kashida) only stretches the letter before it.
        | '\u{0640}' => CharClass::Diacritic,
        '\u{0653}' => CharClass::Madda,
        '\u{0654}' | '\u{0674}' => CharClass::HamzaAbove,
        '\u{0655}' => CharClass::HamzaBelow,
        // Arabic letter mark: a bidi control.
        '\u{061C}' => CharClass::Ignorable,
        '\u{0660}'..='\u{0669}' => ascii_digit(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => ascii_digit(c as u32 - 0x06F0),
        '\u{066B}' => CharClass::DecimalSep,
        '\u{066C}' => CharClass::ThousandsSep,
        '\u{066A}' => CharClass::Punct('%'),
        // Arabic yeh, alef maksura and the yeh shapes of neighbouring orthographies.
        '\u{064A}' | '\u{0649}' | '\u{06D0}' | '\u{06D2}' | '\u{06CD}' | '\u{06CE}' | '\u{06D1}'
        | '\u{0620}' | '\u{063D}' | '\u{063E}' | '\u{063F}' => CharClass::Letter('ی'),
        // Yeh barree with hamza and high-hamza yeh are yeh + hamza, i.e. Persian ئ.
        '\u{06D3}' | '\u{0678}' => CharClass::Letter('ئ'),
        '\u{0643}' | '\u{06AA}' | '\u{063B}' | '\u{063C}' | '\u{06AB}' | '\u{06AC}' | '\u{06AE}' => {
            CharClass::Letter('ک')
        }
        // Teh marbuta, heh with yeh above (ۀ, the ezafe), heh goal forms, Kurdish ae, heh doachashmee.
        '\u{0629}' | '\u{06C0}' | '\u{06C1}' | '\u{06C2}' | '\u{06C3}' | '\u{06D5}' | '\u{06BE}'
        | '\u{06FF}' => CharClass::Letter('ه'),
        // Alef with hamza above/below, wasla, wavy hamza forms, high-hamza alef.
        '\u{0623}' | '\u{0625}' | '\u{0671}' | '\u{0672}' | '\u{0673}' | '\u{0675}' => {
            CharClass::Letter('ا')
        }
        '\u{0676}' | '\u{0677}' => CharClass::Letter('ؤ'),
        // The block's remaining letters, spelled out: `char::is_alphanumeric` takes the slow
        // table path for every non-Latin letter and was a third of the tokenizer's time.
        '\u{0621}'..='\u{063A}'
        | '\u{0641}'..='\u{0648}'
        | '\u{066E}'
        | '\u{066F}'
        | '\u{0679}'..='\u{06BD}'
        | '\u{06BF}'
        | '\u{06C4}'..='\u{06CC}'
        | '\u{06CF}'
        | '\u{06EE}'
        | '\u{06EF}'
        | '\u{06FA}'..='\u{06FC}' => CharClass::Letter(c),
        _ => CharClass::Punct(c),
    }
}

/// Characters outside the Arabic block whose treatment is a decision, not a Unicode property.
#[inline]
fn classify_special(c: char) -> Option<CharClass> {
    Some(match c {
        '\u{200C}' => CharClass::Zwnj,
        // ZWSP is an explicit word break.
        '\u{200B}' => CharClass::Space,
        '\u{200D}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}'
        | '\u{00AD}'
        | '\u{034F}'
        | '\u{180E}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{E0100}'..='\u{E01EF}' => CharClass::Ignorable,
        // Arabic Extended-A/B marks (Quranic annotations, extra vowel signs).
        '\u{0898}'..='\u{089F}' | '\u{08CA}'..='\u{08E1}' | '\u{08E3}'..='\u{08FF}' => CharClass::Diacritic,
        _ if c.is_whitespace() => CharClass::Space,
        _ => return None,
    })
}

/// A character NFKC leaves alone.
#[inline]
fn classify_plain(c: char) -> CharClass {
    if is_combining_mark(c) {
        CharClass::Mark(c)
    } else if c.is_alphanumeric() {
        CharClass::Letter(c)
    } else if c.is_whitespace() {
        CharClass::Space
    } else {
        CharClass::Punct(c)
    }
}

#[inline]
const fn ascii_digit(value: u32) -> CharClass {
    // `value` is 0..=9 by construction.
    CharClass::Digit((b'0' + (value % 10) as u8) as char)
}

/// Arabic-block characters that are letters and normalise to themselves: runs of them are
/// copied into a word without classifying each one (most Persian text is nothing else).
const ARABIC_IDENTITY: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        if let Some(c) = char::from_u32(0x0600 + i as u32) {
            table[i] = matches!(classify_arabic(c), CharClass::Letter(l) if l == c);
        }
        i += 1;
    }
    table
};

/// Length in bytes of the run at the start of `bytes` made of Arabic letters that normalise to
/// themselves (all two-byte characters, lead bytes D8–DB).
#[inline]
pub(crate) fn arabic_identity_run(bytes: &[u8]) -> usize {
    let mut i = 0;
    while i + 1 < bytes.len() {
        let (b0, b1) = (bytes[i], bytes[i + 1]);
        if !(0xD8..=0xDB).contains(&b0) {
            break;
        }
        let cp = (((b0 & 0x1F) as usize) << 6) | (b1 & 0x3F) as usize;
        if !ARABIC_IDENTITY[cp - 0x0600] {
            break;
        }
        i += 2;
    }
    i
}

/// Is this (normalised) letter written in the Arabic script? Decides compound-part boundaries
/// at script switches (`APIها`) and which stemmer applies.
#[inline]
pub(crate) fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}')
}

/// A digit in any script the analyzers fold (ASCII, Persian, Arabic-Indic).
#[inline]
pub(crate) fn is_any_digit(c: char) -> bool {
    c.is_ascii_digit() || ('\u{06F0}'..='\u{06F9}').contains(&c) || ('\u{0660}'..='\u{0669}').contains(&c)
}

/// The letter a hamza or madda mark turns `last` into, if the pair composes to a letter the
/// analyzers keep distinct. `None` means the mark simply vanishes.
#[inline]
pub(crate) fn compose_arabic(last: char, mark: CharClass) -> Option<char> {
    match (mark, last) {
        (CharClass::Madda, 'ا') => Some('آ'),
        (CharClass::HamzaAbove, 'و') => Some('ؤ'),
        (CharClass::HamzaAbove, 'ی') => Some('ئ'),
        _ => None,
    }
}
