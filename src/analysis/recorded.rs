//! The expanded field's tokens of the last text the indexing [`MAIN`](super::MAIN) analyser read
//! on this thread, so that the [`EXPANDED`](super::EXPANDED) analyser, given the same text next,
//! replays them instead of analysing the text a second time.
//!
//! tantivy indexes a document's fields in field order on one thread, and each expanded field comes
//! right after its main field (`title` then `title_x`, `lead` then `lead_x`, `body` then
//! `body_x`), with the same text. The main analyser reads each word once and derives its forms as
//! it goes (most from the memo of forms, [`super::derived_memo`]), streams the main tokens to
//! tantivy and records the derived ones here. A second reading used to cost a fifth of a full
//! build (BENCHMARKS.md, the profile). The replay is used only when the recording is of exactly
//! the same text and reached its end; otherwise the expanded analyser reads the text itself, so
//! the tokens never depend on it.

use std::cell::RefCell;

/// Texts longer than this are not recorded (a pasted blob would stay in memory per thread).
const MAX_RECORDED_BYTES: usize = 1 << 20;

/// The derived tokens of one text, kept by the tokenizer that reads it and handed over through a
/// per-thread slot once complete.
#[derive(Debug, Default, Clone)]
pub(crate) struct Recording {
    /// The text read, and whether it was read to the end.
    source: String,
    complete: bool,
    /// Off for a text too long to keep.
    on: bool,
    texts: String,
    tokens: Vec<Recorded>,
}

/// One recorded token: its text is `texts[start..end]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Recorded {
    start: usize,
    end: usize,
    pub from: usize,
    pub to: usize,
    pub position: usize,
}

thread_local! {
    /// The last complete recording made on this thread.
    static LAST: RefCell<Recording> = RefCell::new(Recording::default());
}

impl Recording {
    /// Starts recording the tokens of `text` (forgetting the previous text's).
    pub(crate) fn start(&mut self, text: &str) {
        self.source.clear();
        self.texts.clear();
        self.tokens.clear();
        self.complete = false;
        self.on = text.len() <= MAX_RECORDED_BYTES;
        if self.on {
            self.source.push_str(text);
        }
    }

    /// Records the next derived token.
    pub(crate) fn push(&mut self, text: &str, from: usize, to: usize, position: usize) {
        if !self.on {
            return;
        }
        let start = self.texts.len();
        self.texts.push_str(text);
        self.tokens.push(Recorded { start, end: self.texts.len(), from, to, position });
    }

    /// The text was read to its end: hands the recording to this thread's slot (taking the slot's
    /// old buffers in exchange).
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

    /// Recorded token `i` and its text; `None` past the last one.
    pub(crate) fn get(&self, i: usize) -> Option<(&str, Recorded)> {
        let t = self.tokens.get(i)?;
        Some((self.texts.get(t.start..t.end)?, *t))
    }
}
