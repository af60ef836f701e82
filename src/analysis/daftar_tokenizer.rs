//! `DaftarTokenizer`: daftar's one tokenizer, run in two modes for the main and expanded fields.
//!
//! tantivy has no character filters (quickwit-oss/tantivy#409), so normalisation happens inside
//! the tokenizer and every token carries byte offsets into the *original* text: highlights stay
//! exact across removed harakat, tatweel, ZWJ and NFKC-folded presentation forms.
//!
//! Positions count source words, identically in both modes, so a phrase maps to consecutive
//! positions in either field. Every token derived from a word sits at that word's position;
//! a glued clitic form sits at the position of its first word.
//!
//! * Main: the normalised word (ZWNJ removed: `گزارش‌ها` → `گزارشها`); for digit groups joined
//!   by `/` or `-` also the groups (`1403/02/15`, `1403`, `02`, `15`); and when a detached
//!   clitic meets its neighbour (`می شود`, `گزارش ها`) the glued form (`میشود`, `گزارشها`).
//!   Never stemmed.
//! * Expanded: everything main emits, plus compound parts (`برنامه`, `ریزی`; clitic parts
//!   skipped), loose forms (`آ`→`ا`, `ئ`→`ی`, `ؤ`→`و`, `ء` dropped, Latin accents dropped),
//!   light Persian stems and English Snowball stems.
//!
//! Tokens longer than [`MAX_TOKEN_BYTES`] are dropped (joined compounds run long, so the limit
//! is far above tantivy's default of 40). Buffers live in the tokenizer and are reused from one
//! document to the next: in steady state the only allocations are the English stemmer's.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::char_class::is_arabic_letter;
use super::clitic;
use super::cursor::Cursor;
use super::derived_memo::{DerivedMemo, MemoKey};
use super::english_stemmer::{english_stemmer, EnglishStemmer};
use super::loose_form::loose_into;
use super::persian_stemmer;
use super::word::Word;

/// Longest token kept, in bytes (a Persian letter is 2 bytes).
pub(crate) const MAX_TOKEN_BYTES: usize = 255;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Main,
    /// Everything a word matches in the expanded field: its main tokens plus derived forms. The
    /// query side uses this.
    Expanded,
    /// Only the derived forms, for indexing the expanded field: queries look for main tokens in
    /// the main fields anyway, and copying them would double the indexing work for English text.
    Extras,
}

/// Whether the tokenizer shares the expanded field's tokens with the next one on its thread
/// ([`super::recorded`]): only the analysers registered for indexing do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sharing {
    None,
    /// Derives and records the expanded field's tokens of every text while streaming the main
    /// tokens (the main fields).
    Record,
    /// Replays them when given the same text (the expanded fields).
    Replay,
}

#[derive(Clone)]
pub(crate) struct DaftarTokenizer<S> {
    mode: Mode,
    sharing: Sharing,
    token: Token,
    english: EnglishStemmer<S>,
    state: State,
}

/// The tokenizer for one of the two fields.
pub(crate) fn daftar_tokenizer(mode: Mode) -> DaftarTokenizer<impl Tokenizer> {
    DaftarTokenizer {
        mode,
        sharing: Sharing::None,
        token: Token::default(),
        english: english_stemmer(),
        state: State::default(),
    }
}

impl<S> DaftarTokenizer<S> {
    /// The same tokenizer, sharing its words as `sharing` says.
    pub(crate) fn sharing(self, sharing: Sharing) -> Self {
        DaftarTokenizer { sharing, ..self }
    }
}

pub(crate) struct DaftarTokenStream<'a, S> {
    text: &'a str,
    inner: &'a mut DaftarTokenizer<S>,
}

impl<S: Tokenizer> Tokenizer for DaftarTokenizer<S> {
    type TokenStream<'a> = DaftarTokenStream<'a, S>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> DaftarTokenStream<'a, S> {
        self.token.reset();
        self.state.reset();
        match self.sharing {
            Sharing::None => {}
            Sharing::Record => self.state.recording.start(text),
            Sharing::Replay => self.state.replay = self.state.recording.take(text).then_some(0),
        }
        DaftarTokenStream { text, inner: self }
    }
}

impl<S: Tokenizer> TokenStream for DaftarTokenStream<'_, S> {
    fn advance(&mut self) -> bool {
        if let Some(i) = self.inner.state.replay {
            let Some((text, t)) = self.inner.state.recording.get(i) else {
                return false;
            };
            let token = &mut self.inner.token;
            token.text.clear();
            token.text.push_str(text);
            token.offset_from = t.from;
            token.offset_to = t.to;
            token.position = t.position;
            self.inner.state.replay = Some(i + 1);
            return true;
        }
        loop {
            let state = &mut self.inner.state;
            if let Some(pending) = state.queue.get(state.head).copied() {
                state.head += 1;
                let token = &mut self.inner.token;
                token.text.clear();
                token.text.push_str(&state.arena[pending.start..pending.end]);
                token.offset_from = pending.from;
                token.offset_to = pending.to;
                token.position = pending.position;
                return true;
            }
            if !self.inner.fill(self.text) {
                return false;
            }
        }
    }

    fn token(&self) -> &Token {
        &self.inner.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.inner.token
    }
}

/// A token waiting in the queue; its text is `arena[start..end]`.
#[derive(Clone, Copy, Debug)]
struct Pending {
    start: usize,
    end: usize,
    from: usize,
    to: usize,
    position: usize,
}

#[derive(Clone, Debug, Default)]
struct State {
    cursor: Cursor,
    /// The word being emitted (`words[at]`) and the one after it (for clitic gluing); they trade
    /// places by flipping `at`, not by moving the words.
    words: [Word; 2],
    at: usize,
    have_cur: bool,
    position: usize,
    arena: String,
    queue: Vec<Pending>,
    head: usize,
    glued: String,
    loose: String,
    stem: String,
    /// The expanded field's tokens being recorded, or replayed (and the next one to replay).
    recording: super::recorded::Recording,
    replay: Option<usize>,
    /// The derived forms of simple words seen before (the indexing analysers only), and the memo
    /// keys of the two words when they may be in it.
    memo: DerivedMemo,
    keys: [Option<MemoKey>; 2],
}

/// Buffers grown beyond this by a pathological document are released rather than kept.
const KEEP_BUFFER_BYTES: usize = 1 << 16;

impl State {
    fn reset(&mut self) {
        let [first, second] = &mut self.words;
        for buffer in [&mut first.text, &mut second.text, &mut self.arena] {
            if buffer.capacity() > KEEP_BUFFER_BYTES {
                *buffer = String::new();
            }
        }
        self.cursor.reset();
        self.have_cur = false;
        self.position = 0;
        self.arena.clear();
        self.queue.clear();
        self.head = 0;
        self.replay = None;
    }

    /// Where the word being emitted (`first`) or the one after it is.
    fn slot(&self, first: bool) -> usize {
        if first {
            self.at
        } else {
            self.at ^ 1
        }
    }

    /// Reads the next word as the one being emitted (`first`) or the one after it; false at the
    /// end of the text.
    fn read(&mut self, first: bool, text: &str) -> bool {
        let i = self.slot(first);
        self.words[i].read(&mut self.cursor, text)
    }

    /// The memo key of the word being emitted (`first`) or the one after it, when the memo is in
    /// use and the word's forms depend on its text alone so far (one part, not numeric, short
    /// enough); the next word's slot starts loading while the current one is indexed.
    fn look_ahead(&mut self, first: bool, uses_memo: bool) {
        let i = self.slot(first);
        let word = &self.words[i];
        let key = (uses_memo && !word.numeric && word.parts.len() < 2).then(|| MemoKey::of(&word.text)).flatten();
        if let Some(key) = &key {
            self.memo.prefetch(key);
        }
        self.keys[i] = key;
    }
}

impl<S: Tokenizer> DaftarTokenizer<S> {
    /// Whether it derives the expanded forms: the expanded modes, and the main field's recording
    /// analyser (for the expanded field); not the query side's main analyser.
    fn derives(&self) -> bool {
        self.mode != Mode::Main || self.sharing == Sharing::Record
    }

    /// Whether it keeps derived forms in the memo: only the indexing analysers (the query side's
    /// expanded analyser derives every word).
    fn uses_memo(&self) -> bool {
        self.derives() && self.mode != Mode::Expanded
    }

    /// Queues the tokens of the next word; false at the end of the text.
    fn fill(&mut self, text: &str) -> bool {
        let uses_memo = self.uses_memo();
        let state = &mut self.state;
        state.queue.clear();
        state.head = 0;
        state.arena.clear();
        if !state.have_cur {
            if !state.read(true, text) {
                if self.sharing == Sharing::Record {
                    state.recording.publish();
                }
                return false;
            }
            state.have_cur = true;
            state.look_ahead(true, uses_memo);
        }
        let have_next = state.read(false, text);
        state.look_ahead(false, uses_memo && have_next);
        let main = self.emit_word(have_next);
        let state = &mut self.state;
        match (self.mode, self.sharing) {
            (Mode::Extras, _) => state.head = main,
            (Mode::Main, Sharing::Record) => {
                for p in state.queue.get(main..).unwrap_or_default() {
                    state.recording.push(&state.arena[p.start..p.end], p.from, p.to, p.position);
                }
                state.queue.truncate(main);
            }
            _ => {}
        }
        state.position += 1;
        state.at ^= 1;
        state.have_cur = have_next;
        true
    }

    /// Queues the word's tokens and returns how many of them are main tokens (queued first).
    fn emit_word(&mut self, have_next: bool) -> usize {
        let derives = self.derives();
        let State { words, at, arena, queue, glued, loose, stem, position, memo, keys, .. } = &mut self.state;
        let mut out = Emitter { arena, queue, position: *position };
        let (word, next, cur_key) = (&words[*at], &words[*at ^ 1], &keys[*at]);

        glued.clear();
        if have_next && glues(word, next) {
            glued.push_str(&word.text);
            glued.push_str(&next.text);
        }
        let glued_to = next.to;

        // When indexing, a word whose forms depend on its text alone (it has a memo key and no
        // clitic glued to it) is derived once per memo slot. Met again, its forms come from the
        // memo, after its main token unless only the forms are wanted (the memo's forms never
        // repeat the word).
        let simple = if glued.is_empty() { cur_key.as_ref() } else { None };
        if let Some(key) = simple {
            if let Some(forms) = memo.get(key) {
                if self.mode == Mode::Main {
                    out.push(&word.text, word.from, word.to);
                }
                let main = out.queue.len();
                for form in forms {
                    out.push(form, word.from, word.to);
                }
                return main;
            }
        }

        out.push(&word.text, word.from, word.to);
        if word.numeric {
            for part in &word.parts {
                out.push(&word.text[part.start..part.end], part.from, part.to);
            }
        }
        if !glued.is_empty() {
            out.push(glued, word.from, glued_to);
        }
        let main = out.queue.len();
        if !derives {
            return main;
        }

        let mut derive = Deriver { out, loose, stem, english: &mut self.english };
        let compound = word.parts.len() >= 2 && !word.numeric;
        match word.parts.last() {
            // `خانه‌ای`: the stem is the host; stripping blindly would read `خان` + `های`.
            Some(last) if compound && clitic::is_bare(&word.text[last.start..last.end]) => {
                let host = &word.text[..last.start];
                let host_to = word.parts.iter().rev().nth(1).map_or(word.to, |p| p.to);
                derive.out.push(host, word.from, host_to);
                derive.forms(host, word.from, host_to, true);
                derive.forms(&word.text, word.from, word.to, false);
            }
            _ => derive.forms(&word.text, word.from, word.to, !word.numeric),
        }
        if compound {
            for part in &word.parts {
                let text = &word.text[part.start..part.end];
                if !clitic::is_bare(text) {
                    derive.out.push(text, part.from, part.to);
                    derive.forms(text, part.from, part.to, true);
                }
            }
        }
        if !glued.is_empty() {
            derive.forms(glued, word.from, glued_to, false);
        }
        if let Some(key) = simple {
            // Not in the memo (new, or evicted): what was just derived is kept for next time.
            let Emitter { arena, queue, .. } = &derive.out;
            memo.insert(key, queue[main..].iter().map(|p| &arena[p.start..p.end]));
        }
        main
    }
}

/// Whether `word` and `next` are a detached clitic and its host: `می شود`, `گزارش ها`.
fn glues(word: &Word, next: &Word) -> bool {
    let persian = |w: &Word| w.arabic && !w.other && !w.numeric;
    if !next.spaced || !persian(word) || !persian(next) {
        return false;
    }
    if clitic::is_prefix(&word.text) {
        return !clitic::is_prefix(&next.text) && !clitic::is_suffix(&next.text);
    }
    clitic::is_suffix(&next.text) && !clitic::is_suffix(&word.text)
}

/// Appends the tokens of one word to the queue, skipping duplicates and overlong terms.
struct Emitter<'s> {
    arena: &'s mut String,
    queue: &'s mut Vec<Pending>,
    position: usize,
}

impl Emitter<'_> {
    fn push(&mut self, text: &str, from: usize, to: usize) {
        if text.is_empty() || text.len() > MAX_TOKEN_BYTES {
            return;
        }
        // The queue holds only this word's tokens: a handful.
        if self.queue.iter().any(|p| &self.arena[p.start..p.end] == text) {
            return;
        }
        let start = self.arena.len();
        self.arena.push_str(text);
        self.queue.push(Pending { start, end: self.arena.len(), from, to, position: self.position });
    }
}

/// Derives the expanded-only forms (loose spellings, stems) of one form of a word.
struct Deriver<'s, S> {
    out: Emitter<'s>,
    loose: &'s mut String,
    stem: &'s mut String,
    english: &'s mut EnglishStemmer<S>,
}

impl<S: Tokenizer> Deriver<'_, S> {
    fn forms(&mut self, form: &str, from: usize, to: usize, stem: bool) {
        // Stemming never brings a form back under the limit by more than a suffix.
        if form.len() > MAX_TOKEN_BYTES + 16 {
            return;
        }
        let loosened = loose_into(form, self.loose);
        if loosened {
            self.out.push(self.loose, from, to);
        }
        if !stem {
            return;
        }
        if form.chars().next_back().is_some_and(is_arabic_letter) {
            if persian_stemmer::stem_into(form, self.stem) {
                self.out.push(self.stem, from, to);
            }
            if loosened && persian_stemmer::stem_into(self.loose, self.stem) {
                self.out.push(self.stem, from, to);
            }
        } else {
            let ascii = if form.is_ascii() {
                form
            } else if loosened && self.loose.is_ascii() {
                self.loose.as_str()
            } else {
                return;
            };
            if ascii.bytes().any(|b| b.is_ascii_alphabetic()) && self.english.stem_into(ascii, self.stem) {
                self.out.push(self.stem, from, to);
            }
        }
    }
}
