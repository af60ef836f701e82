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
//! derived each time. The tokenizer computes a word's [`MemoKey`] once, as it reads the word, and
//! prefetches its slot while the word before it is indexed. The table starts small (64 KiB: a
//! server's commit of a few notes) and grows to 1 MiB, emptied each time, as a long batch keeps
//! missing it.

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

/// A word as the memo looks it up: its hash and its zero-padded bytes, computed once per word
/// and used to prefetch its slot, look it up and keep its forms.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MemoKey {
    hash: u64,
    len: u8,
    bytes: [u8; KEY_BYTES],
}

impl MemoKey {
    /// The key of `word`; `None` when it is too long to keep.
    pub(crate) fn of(word: &str) -> Option<MemoKey> {
        let word = word.as_bytes();
        let mut bytes = [0u8; KEY_BYTES];
        bytes.get_mut(..word.len())?.copy_from_slice(word);
        Some(MemoKey { hash: rustc_hash::FxBuildHasher.hash_one(word), len: word.len() as u8, bytes })
    }

    /// Its slot index in a table of `slots` (a power of two).
    fn index(&self, slots: usize) -> usize {
        self.hash as usize & slots.wrapping_sub(1)
    }

    /// The high bits of its hash, never 0.
    fn tag(&self) -> u32 {
        (self.hash >> 32) as u32 | 1
    }
}

impl std::fmt::Debug for DerivedMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let used = self.slots.iter().filter(|s| s.tag != 0).count();
        f.debug_struct("DerivedMemo").field("used", &used).finish()
    }
}

impl DerivedMemo {
    /// Starts loading the slot of `key` into the cache. The tokenizer asks for the next word's
    /// slot while the current word's tokens are indexed: looked up cold, the slot is a cache miss
    /// (tantivy's term table evicts the memo), which was 5% of a build's CPU.
    #[inline]
    pub(crate) fn prefetch(&self, key: &MemoKey) {
        #[cfg(target_arch = "x86_64")]
        if let Some(slot) = self.slots.get(key.index(self.slots.len())) {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            // SAFETY: SSE, which the intrinsic requires, is part of every x86-64 CPU; a prefetch
            // only hints at the cache, never faults, and the address is a live slot anyway.
            #[allow(unsafe_code)]
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(slot).cast());
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = key;
    }

    /// The forms derived from the word of `key`, in the order they were derived, if it is in the
    /// memo.
    pub(crate) fn get(&self, key: &MemoKey) -> Option<impl Iterator<Item = &str>> {
        let slot = self.slots.get(key.index(self.slots.len()))?;
        if slot.tag != key.tag() || slot.key_len != key.len || slot.key != key.bytes {
            return None;
        }
        let mut start = 0;
        Some(slot.form_lens.iter().take_while(|&&len| len > 0).filter_map(move |&len| {
            let form = slot.forms.get(start..start + usize::from(len))?;
            start += usize::from(len);
            std::str::from_utf8(form).ok()
        }))
    }

    /// Keeps the forms derived from the word of `key` (possibly none), in place of the word in its
    /// slot; forms too long for a slot are not kept.
    pub(crate) fn insert<'a>(&mut self, key: &MemoKey, forms: impl Iterator<Item = &'a str>) {
        let len = self.slots.len();
        if len == 0 || (len < MAX_SLOTS && self.inserts >= INSERTS_PER_SLOT_TO_GROW * len) {
            self.slots = vec![EMPTY; (len * 4).clamp(MIN_SLOTS, MAX_SLOTS)];
            self.inserts = 0;
        }
        self.inserts += 1;
        let mut slot = Slot { tag: key.tag(), key_len: key.len, key: key.bytes, ..EMPTY };
        let mut end = 0;
        for (n, form) in forms.enumerate() {
            let (Some(len), Some(room)) = (slot.form_lens.get_mut(n), slot.forms.get_mut(end..end + form.len())) else {
                return;
            };
            room.copy_from_slice(form.as_bytes());
            *len = form.len() as u8;
            end += form.len();
        }
        let i = key.index(self.slots.len());
        if let Some(s) = self.slots.get_mut(i) {
            *s = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(word: &str) -> MemoKey {
        MemoKey::of(word).expect("short enough to keep")
    }

    fn forms(memo: &DerivedMemo, word: &str) -> Option<Vec<String>> {
        memo.get(&MemoKey::of(word)?).map(|f| f.map(str::to_string).collect())
    }

    #[test]
    fn gives_back_what_was_kept_in_order() {
        let mut memo = DerivedMemo::default();
        assert_eq!(forms(&memo, "managers"), None);
        memo.insert(&key("managers"), ["manag", "manager"].into_iter());
        memo.insert(&key("the"), std::iter::empty());
        memo.insert(&key("آموزش"), ["اموزش", "آموز", "اموز"].into_iter());
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
        assert!(MemoKey::of(&long).is_none());
        assert!(MemoKey::of(&long[1..]).is_some());
        memo.insert(&key("word"), ["a", "b", "c", "d"].into_iter());
        assert_eq!(forms(&memo, "word"), None);
        let wide = "f".repeat(FORM_BYTES / 2 + 1);
        memo.insert(&key("word"), [wide.as_str(), wide.as_str()].into_iter());
        assert_eq!(forms(&memo, "word"), None);
    }

    #[test]
    fn a_word_evicts_the_one_in_its_slot() {
        let mut memo = DerivedMemo::default();
        let slot = |w: &str| key(w).index(MIN_SLOTS);
        let first = "w0".to_string();
        let rival = (1..).map(|n| format!("w{n}")).find(|w| slot(w) == slot(&first)).expect("a word in the same slot");
        memo.insert(&key(&first), ["a"].into_iter());
        memo.insert(&key(&rival), ["b"].into_iter());
        assert_eq!(forms(&memo, &first), None);
        assert_eq!(forms(&memo, &rival), Some(vec!["b".to_string()]));
    }

    #[test]
    fn the_table_grows_as_a_long_batch_keeps_missing_it() {
        let mut memo = DerivedMemo::default();
        assert!(memo.slots.is_empty());
        memo.insert(&key("w"), ["f"].into_iter());
        assert_eq!(memo.slots.len(), MIN_SLOTS);
        let mut n = 0;
        while memo.slots.len() < MAX_SLOTS {
            memo.insert(&key(&format!("w{n}")), ["f"].into_iter());
            n += 1;
            assert!(n < 1_000_000, "never grew");
        }
        // Grown to its largest, emptied but for the word inserted at that point; it stays there.
        assert_eq!(memo.slots.iter().filter(|s| s.tag != 0).count(), 1);
        for m in 0..4 * MAX_SLOTS {
            memo.insert(&key(&format!("v{m}")), std::iter::empty());
        }
        assert_eq!(memo.slots.len(), MAX_SLOTS);
    }
}
