//! `DerivedMemo`: the derived forms (loose spellings, stems) of the simple words an indexing
//! tokenizer has met recently, so that a word met again costs one cache line.
//!
//! Word frequencies are Zipfian: a body's thousand words are mostly the same few thousand, and
//! deriving a word's forms (loose folding, then Persian or Snowball English stemming) cost more
//! than reading it. Only a word whose forms are a function of its text alone is kept: one part,
//! not numeric, no clitic glued to its neighbour (the tokenizer decides that).
//!
//! The memo is direct-mapped: a table of 64-byte slots, each holding one word and its forms
//! inline, so a look-up reads one slot and compares fixed-size arrays, with no pointer to follow.
//! A word maps to one slot and evicts whatever was there; words or forms too long for a slot are
//! derived each time. The table starts small (64 KiB: a server's commit of a few notes) and grows
//! to 1 MiB, emptied each time, as a long batch keeps missing it.

use std::hash::BuildHasher;

/// Slots in the table at first and at most (powers of two).
const MIN_SLOTS: usize = 1 << 10;
const MAX_SLOTS: usize = 1 << 14;
/// The table grows (4×) after this many inserts per slot.
const INSERTS_PER_SLOT_TO_GROW: usize = 2;
/// Longest word kept, in bytes.
const KEY_BYTES: usize = 28;
/// Room for a word's forms, in bytes, and how many forms at most.
const FORM_BYTES: usize = 28;
const MAX_FORMS: usize = 3;

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Slot {
    /// High bits of the word's hash, never 0 for a used slot.
    tag: u32,
    key_len: u8,
    /// Each form's length; 0 ends the list.
    form_lens: [u8; MAX_FORMS],
    /// The word, padded with zeroes.
    key: [u8; KEY_BYTES],
    /// The forms, one after the other.
    forms: [u8; FORM_BYTES],
}

const EMPTY: Slot = Slot { tag: 0, key_len: 0, form_lens: [0; MAX_FORMS], key: [0; KEY_BYTES], forms: [0; FORM_BYTES] };

#[derive(Clone, Default)]
pub(crate) struct DerivedMemo {
    /// Allocated at the first insert; a power of two long.
    slots: Vec<Slot>,
    /// Inserts since the table was last allocated.
    inserts: usize,
}

/// A word's slot index in a table of `slots`, its tag and its zero-padded bytes; `None` when too
/// long to keep.
fn locate(word: &str, slots: usize) -> Option<(usize, u32, [u8; KEY_BYTES])> {
    let bytes = word.as_bytes();
    let mut key = [0u8; KEY_BYTES];
    key.get_mut(..bytes.len())?.copy_from_slice(bytes);
    let hash = rustc_hash::FxBuildHasher.hash_one(bytes);
    Some((hash as usize & slots.wrapping_sub(1), (hash >> 32) as u32 | 1, key))
}

impl std::fmt::Debug for DerivedMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let used = self.slots.iter().filter(|s| s.tag != 0).count();
        f.debug_struct("DerivedMemo").field("used", &used).finish()
    }
}

impl DerivedMemo {
    /// Whether `word` may be kept at all.
    pub(crate) fn keeps(word: &str) -> bool {
        word.len() <= KEY_BYTES
    }

    /// The forms derived from `word`, in the order they were derived, if it is in the memo.
    pub(crate) fn get(&self, word: &str) -> Option<impl Iterator<Item = &str>> {
        let (i, tag, key) = locate(word, self.slots.len())?;
        let slot = self.slots.get(i)?;
        if slot.tag != tag || usize::from(slot.key_len) != word.len() || slot.key != key {
            return None;
        }
        let mut start = 0;
        Some(slot.form_lens.iter().take_while(|&&len| len > 0).filter_map(move |&len| {
            let form = slot.forms.get(start..start + usize::from(len))?;
            start += usize::from(len);
            std::str::from_utf8(form).ok()
        }))
    }

    /// Keeps the forms derived from `word` (possibly none), in place of the word in its slot; a
    /// word or forms too long for a slot are not kept.
    pub(crate) fn insert<'a>(&mut self, word: &str, forms: impl Iterator<Item = &'a str>) {
        let len = self.slots.len();
        if len == 0 || (len < MAX_SLOTS && self.inserts >= INSERTS_PER_SLOT_TO_GROW * len) {
            self.slots = vec![EMPTY; (len * 4).clamp(MIN_SLOTS, MAX_SLOTS)];
            self.inserts = 0;
        }
        self.inserts += 1;
        let Some((i, tag, key)) = locate(word, self.slots.len()) else { return };
        let mut slot = Slot { tag, key_len: word.len() as u8, key, ..EMPTY };
        let mut end = 0;
        for (n, form) in forms.enumerate() {
            let (Some(len), Some(room)) = (slot.form_lens.get_mut(n), slot.forms.get_mut(end..end + form.len())) else {
                return;
            };
            room.copy_from_slice(form.as_bytes());
            *len = form.len() as u8;
            end += form.len();
        }
        if let Some(s) = self.slots.get_mut(i) {
            *s = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forms(memo: &DerivedMemo, word: &str) -> Option<Vec<String>> {
        memo.get(word).map(|f| f.map(str::to_string).collect())
    }

    #[test]
    fn gives_back_what_was_kept_in_order() {
        let mut memo = DerivedMemo::default();
        assert_eq!(forms(&memo, "managers"), None);
        memo.insert("managers", ["manag", "manager"].into_iter());
        memo.insert("the", std::iter::empty());
        memo.insert("آموزش", ["اموزش", "آموز", "اموز"].into_iter());
        assert_eq!(forms(&memo, "managers"), Some(vec!["manag".to_string(), "manager".to_string()]));
        assert_eq!(forms(&memo, "the"), Some(vec![]));
        assert_eq!(forms(&memo, "آموزش"), Some(vec!["اموزش".to_string(), "آموز".to_string(), "اموز".to_string()]));
        // A prefix of a kept word, or the word with a trailing NUL, is another word.
        assert_eq!(forms(&memo, "manager"), None);
        assert_eq!(forms(&memo, "the\0"), None);
    }

    #[test]
    fn what_does_not_fit_a_slot_is_not_kept() {
        let mut memo = DerivedMemo::default();
        let long = "x".repeat(KEY_BYTES + 1);
        assert!(!DerivedMemo::keeps(&long));
        memo.insert(&long, ["y"].into_iter());
        assert_eq!(forms(&memo, &long), None);
        memo.insert("word", ["a", "b", "c", "d"].into_iter());
        assert_eq!(forms(&memo, "word"), None);
        let wide = "f".repeat(FORM_BYTES / 2 + 1);
        memo.insert("word", [wide.as_str(), wide.as_str()].into_iter());
        assert_eq!(forms(&memo, "word"), None);
    }

    #[test]
    fn a_word_evicts_the_one_in_its_slot() {
        let mut memo = DerivedMemo::default();
        let slot = |w: &str| locate(w, MIN_SLOTS).map(|(i, _, _)| i);
        let first = "w0".to_string();
        let rival = (1..).map(|n| format!("w{n}")).find(|w| slot(w) == slot(&first)).expect("a word in the same slot");
        memo.insert(&first, ["a"].into_iter());
        memo.insert(&rival, ["b"].into_iter());
        assert_eq!(forms(&memo, &first), None);
        assert_eq!(forms(&memo, &rival), Some(vec!["b".to_string()]));
    }

    #[test]
    fn the_table_grows_as_a_long_batch_keeps_missing_it() {
        let mut memo = DerivedMemo::default();
        assert!(memo.slots.is_empty());
        memo.insert("w", ["f"].into_iter());
        assert_eq!(memo.slots.len(), MIN_SLOTS);
        let mut n = 0;
        while memo.slots.len() < MAX_SLOTS {
            memo.insert(&format!("w{n}"), ["f"].into_iter());
            n += 1;
            assert!(n < 1_000_000, "never grew");
        }
        // Grown to its largest, emptied but for the word inserted at that point; it stays there.
        assert_eq!(memo.slots.iter().filter(|s| s.tag != 0).count(), 1);
        for m in 0..4 * MAX_SLOTS {
            memo.insert(&format!("v{m}"), std::iter::empty());
        }
        assert_eq!(memo.slots.len(), MAX_SLOTS);
    }
}
