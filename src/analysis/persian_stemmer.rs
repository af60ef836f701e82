//! The light Persian suffix stemmer of the expanded field.
//!
//! Two passes over a normalised, ZWNJ-joined word: first plural, comparative and
//! plural-possessive endings (`ها های هایی ان ات تر ترین`, `هایش`…), then the adjective /
//! indefinite / ezafe `ی` (`یی`, `ای` after `ه`, `ی`). A stem keeps at least three letters,
//! stop words are left alone, and protection lists keep the words that merely end in those
//! letters (`ایران`, `سازمان`, `…ستان` place names, `فیلتر`, `بازی`). Every stemmer the research
//! tried over-stems (`بهترین`→`به`, `مدیریت`→`مدیر`), so stems only ever go to the low-weight
//! expanded field; the minimum length already protects `بهتر`, `دفتر`, `تنها`, `زمان`.
//!
//! This stemmer sees only a joined form. For a ZWNJ compound whose last part is a clitic
//! (`خانه‌ای`), the tokenizer drops that part instead of calling it: blind stripping would read
//! `خانهای` as `خان` + `های`.

use std::sync::OnceLock;

use super::stop_words::is_stop_word;

const MIN_STEM_CHARS: usize = 3;

/// First pass, longest first so `هایی` wins over `ها`.
const PLURAL_SUFFIXES: &[&str] =
    &["هایشان", "هایمان", "هایتان", "هایش", "هایم", "هایت", "هایی", "های", "ها", "ترین", "تر", "ان", "ات"];

/// Whole words never stemmed: they end in a suffix's letters without carrying it (-ان, -ات,
/// -تر, -ی words, in that order).
const PROTECTED: &str = "\
    ایران تهران سازمان میزان امکان پایان جریان انسان دوران ارزان میدان دندان باران کرمان گیلان همدان \
    زنجان لبنان یونان آلمان ایمان درمان فرمان ساختمان مهمان پیمان آرمان قهرمان آسمان عنوان دیوان \
    کاروان ایوان سلطان شیطان بنیان کیهان گریبان بیابان خراسان کاشان اصفهان آذربایجان بازرگان رایگان \
    گروگان پنهان آبادان مازندران برنامه \
    حیات نجات ثبات زکات صلوات برات اثبات ملاقات سوغات مساوات \
    کبوتر دختر فیلتر کامپیوتر تئاتر پوستر اختر کیلومتر سانتیمتر میلیمتر پارامتر کاراکتر لیتر کاتر \
    رجیستر مستر خاکستر انگشتر \
    بازی کشتی صندلی ماهی مهدی هادی سینی کپی تاکسی انرژی استراتژی تکنولوژی شیمی جاری خالی کیفی عالی \
    مولوی سعدی";

fn is_protected(word: &str) -> bool {
    static SORTED: OnceLock<Vec<&'static str>> = OnceLock::new();
    SORTED.get_or_init(|| sorted(PROTECTED)).binary_search(&word).is_ok()
}

/// A word list sorted for binary search (cheaper than hashing such short keys).
fn sorted(words: &'static str) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = words.split_whitespace().collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Writes the stem of the normalised `word` into `out`; false if nothing was stripped.
pub(crate) fn stem_into(word: &str, out: &mut String) -> bool {
    out.clear();
    if word.chars().count() <= MIN_STEM_CHARS {
        return false;
    }
    out.push_str(word);
    strip_plural(out);
    if out.ends_with('ی') && !is_protected(out) {
        strip_yeh(out);
    }
    // The word lists are consulted only when something was stripped: most words end in no suffix.
    out.len() != word.len() && !is_protected(word) && !is_stop_word(word)
}

fn strip_plural(word: &mut String) {
    for suffix in PLURAL_SUFFIXES {
        let Some(stem) = word.strip_suffix(suffix) else {
            continue;
        };
        if stem.chars().count() < MIN_STEM_CHARS {
            continue;
        }
        if *suffix == "ان" && !takes_an(word, stem) {
            return;
        }
        let keep = stem.len();
        word.truncate(keep);
        // -گان is the plural of a word in -ه: نمایندگان → نماینده, ستارگان → ستاره.
        if *suffix == "ان" && word.ends_with('گ') && word.chars().count() > MIN_STEM_CHARS {
            word.pop();
            word.push('ه');
        }
        return;
    }
}

/// Whether `word` (ending in `ان`, stem `stem`) is a plural rather than a word like `بیابان`.
fn takes_an(word: &str, stem: &str) -> bool {
    if word.ends_with("ستان") {
        // Place names (…ستان) are protected, but friends, hands and worshippers are plurals.
        return stem == "دوست" || stem == "دست" || stem.ends_with("پرست");
    }
    // Agent nouns in -بان (پشتیبان, نگهبان, باغبان) are singular.
    !word.ends_with("بان")
}

fn strip_yeh(word: &mut String) {
    let chars = word.chars().count();
    if chars <= MIN_STEM_CHARS {
        return;
    }
    if word.ends_with("یی") && chars - 2 >= MIN_STEM_CHARS {
        // زیبایی → زیبا, دانشجویی → دانشجو
        word.truncate(word.len() - "یی".len());
    } else if word.ends_with('ی') && chars > MIN_STEM_CHARS {
        // ایرانی → ایران, مدیریتی → مدیریت
        word.truncate(word.len() - 'ی'.len_utf8());
    }
}
