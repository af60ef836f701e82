//! `EnglishStemmer`: Snowball English stemming of single words for the expanded field.
//!
//! tantivy's `stemmer` feature ships the Snowball stemmers (crate `frostem`) but exposes them only
//! as the `Stemmer` token filter, and daftar depends on nothing beyond tantivy for this. So the
//! filter is wrapped around a one-token tokenizer and fed one word at a time; the wrapper is a
//! concrete (unboxed) type. Snowball costs more than the rest of the chain per English word
//! (and allocates), and word frequencies are Zipfian, so a small direct-mapped cache of recent
//! stems sits in front of it.

use tantivy::tokenizer::{Language, Stemmer, Token, TokenFilter, TokenStream, Tokenizer};

/// Cache slots (a power of two). Words longer than `CACHED_MAX_BYTES` bypass the cache.
const CACHE_SLOTS: usize = 1024;
const CACHED_MAX_BYTES: usize = 24;

#[derive(Clone)]
pub(crate) struct EnglishStemmer<T> {
    inner: T,
    /// `(word, stem)` per slot, allocated on first use; the strings are reused when a slot is
    /// overwritten, so a warm cache allocates nothing.
    cache: Vec<(String, String)>,
}

/// The stemmer used by the analyzers.
pub(crate) fn english_stemmer() -> EnglishStemmer<impl Tokenizer> {
    EnglishStemmer { inner: Stemmer::new(Language::English).transform(WholeInput::default()), cache: Vec::new() }
}

impl<T: Tokenizer> EnglishStemmer<T> {
    /// Writes the stem of the lowercased `word` into `out`; false if it equals `word`.
    pub(crate) fn stem_into(&mut self, word: &str, out: &mut String) -> bool {
        out.clear();
        if word.len() > CACHED_MAX_BYTES {
            self.stem_uncached(word, out);
        } else {
            if self.cache.is_empty() {
                self.cache = vec![(String::new(), String::new()); CACHE_SLOTS];
            }
            let slot = fnv1a(word.as_bytes()) & (CACHE_SLOTS - 1);
            let hit = self.cache.get(slot).is_some_and(|(w, _)| w == word);
            if !hit {
                self.stem_uncached(word, out);
                if let Some((w, stem)) = self.cache.get_mut(slot) {
                    w.clear();
                    w.push_str(word);
                    stem.clear();
                    stem.push_str(out);
                }
            } else if let Some((_, stem)) = self.cache.get(slot) {
                out.push_str(stem);
            }
        }
        !out.is_empty() && out != word
    }

    fn stem_uncached(&mut self, word: &str, out: &mut String) {
        let mut stream = self.inner.token_stream(word);
        if stream.advance() {
            out.push_str(&stream.token().text);
        }
    }
}

/// FNV-1a: a good enough spread for short words, and far cheaper than SipHash.
#[inline]
fn fnv1a(bytes: &[u8]) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as usize
}

/// A tokenizer whose only token is its whole input.
#[derive(Clone, Default)]
struct WholeInput {
    token: Token,
}

struct WholeInputStream<'a> {
    token: &'a mut Token,
    fresh: bool,
}

impl Tokenizer for WholeInput {
    type TokenStream<'a> = WholeInputStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WholeInputStream<'a> {
        self.token.reset();
        self.token.text.push_str(text);
        self.token.offset_to = text.len();
        self.token.position = 0;
        WholeInputStream { token: &mut self.token, fresh: true }
    }
}

impl TokenStream for WholeInputStream<'_> {
    fn advance(&mut self) -> bool {
        std::mem::replace(&mut self.fresh, false)
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}
