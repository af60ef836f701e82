//! The words of the last text the indexing [`MAIN`](super::MAIN) analyser read on this thread, so
//! that the [`EXPANDED`](super::EXPANDED) analyser, given the same text next, replays them
//! instead of reading every character again.
//!
//! tantivy indexes a document's fields in field order on one thread, and each expanded field comes
//! right after its main field (`title` then `title_x`, `lead` then `lead_x`, `body` then
//! `body_x`), with the same text. Reading words (`Word::read`: classes, normalisation, parts) was
//! a fifth of a full build, half of it for the second reading (BENCHMARKS.md, the profile). The
//! replay is used only when the recording is of exactly the same text and reached its end;
//! otherwise the expanded analyser reads the text itself, so the tokens never depend on it.

use std::cell::RefCell;

use super::word::{Part, Word};

/// Texts longer than this are not recorded (a pasted blob would stay in memory per thread).
const MAX_RECORDED_BYTES: usize = 1 << 20;

/// The words read from one text, kept by the tokenizer that reads them and handed over through a
/// per-thread slot once complete.
#[derive(Debug, Default, Clone)]
pub(crate) struct Recording {
    /// The text read, and whether its words were read to the end.
    source: String,
    complete: bool,
    /// Off for a text too long to keep.
    on: bool,
    texts: String,
    parts: Vec<Part>,
    words: Vec<Recorded>,
}

#[derive(Debug, Clone, Copy)]
struct Recorded {
    text: (usize, usize),
    parts: (usize, usize),
    from: usize,
    to: usize,
    numeric: bool,
    arabic: bool,
    other: bool,
    spaced: bool,
}

thread_local! {
    /// The last complete recording made on this thread.
    static LAST: RefCell<Recording> = RefCell::new(Recording::default());
}

impl Recording {
    /// Starts recording the words of `text` (forgetting the previous text's).
    pub(crate) fn start(&mut self, text: &str) {
        self.source.clear();
        self.texts.clear();
        self.parts.clear();
        self.words.clear();
        self.complete = false;
        self.on = text.len() <= MAX_RECORDED_BYTES;
        if self.on {
            self.source.push_str(text);
        }
    }

    /// Records the next word read.
    pub(crate) fn push(&mut self, word: &Word) {
        if !self.on {
            return;
        }
        let text = (self.texts.len(), self.texts.len() + word.text.len());
        self.texts.push_str(&word.text);
        let parts = (self.parts.len(), self.parts.len() + word.parts.len());
        self.parts.extend_from_slice(&word.parts);
        self.words.push(Recorded {
            text,
            parts,
            from: word.from,
            to: word.to,
            numeric: word.numeric,
            arabic: word.arabic,
            other: word.other,
            spaced: word.spaced,
        });
    }

    /// The text's words were all read: hands the recording to this thread's slot (taking the
    /// slot's old buffers in exchange).
    pub(crate) fn publish(&mut self) {
        if !self.on {
            return;
        }
        self.complete = true;
        LAST.with(|last| std::mem::swap(&mut *last.borrow_mut(), self));
        // What came back is an old buffer; nothing more is recorded until the next start.
        self.complete = false;
        self.on = false;
    }

    /// Takes this thread's recording when it is complete and of exactly `text`.
    pub(crate) fn take(&mut self, text: &str) -> bool {
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            if !last.complete || last.source != text {
                return false;
            }
            last.complete = false;
            std::mem::swap(&mut *last, self);
            true
        })
    }

    /// Loads recorded word `i` into `word`; false past the last one.
    pub(crate) fn load(&self, i: usize, word: &mut Word) -> bool {
        let Some(w) = self.words.get(i) else {
            return false;
        };
        word.text.clear();
        word.text.push_str(&self.texts[w.text.0..w.text.1]);
        word.parts.clear();
        word.parts.extend_from_slice(&self.parts[w.parts.0..w.parts.1]);
        word.from = w.from;
        word.to = w.to;
        word.numeric = w.numeric;
        word.arabic = w.arabic;
        word.other = w.other;
        word.spaced = w.spaced;
        true
    }
}
