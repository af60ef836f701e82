//! Query-side spelling variants: other ways the same word is written.
//!
//! Hamza seats are the main source (`مسئله` / `مسأله` / `مساله`, `هیئت` / `هیات`, `مسئول` /
//! `مسوول`), then Arabic-versus-Persian loanword spellings (`اتاق` / `اطاق`, `بلیت` / `بلیط`)
//! and a dropped final hamza (`اجزاء` / `اجزا`). Rules cover the direction that can be
//! computed (from the hamza form); a table covers the reverse and the loanwords. Expanding the
//! query rather than the index keeps the index small and lets the table grow without a rebuild.

use super::value_normalizer::normalize;

/// Known spellings of the same word, in normalised form (`أ` is already `ا`).
const GROUPS: &[&[&str]] = &[
    &["مسئله", "مساله"],
    &["مسائل", "مسایل"],
    &["هیئت", "هیات"],
    &["مسئول", "مسوول", "مسول"],
    &["مسئولیت", "مسوولیت", "مسولیت"],
    &["مسئولین", "مسوولین", "مسولین"],
    &["رئیس", "رییس"],
    &["رؤسا", "روسا"],
    &["سؤال", "سوال"],
    &["مؤسسه", "موسسه"],
    &["مؤثر", "موثر"],
    &["مؤلف", "مولف"],
    &["شئون", "شوون", "شون"],
    &["تئاتر", "تیاتر", "تاتر"],
    &["ژئوپلیتیک", "ژیوپلیتیک"],
    &["اتاق", "اطاق"],
    &["تهران", "طهران"],
    &["بلیت", "بلیط"],
    &["امپراتور", "امپراطور"],
    &["توفان", "طوفان"],
    &["غلتیدن", "غلطیدن"],
    &["اجزاء", "اجزا"],
    &["اعضاء", "اعضا"],
    &["امضاء", "امضا"],
    &["انشاء", "انشا"],
    &["ابتداء", "ابتدا"],
    &["انتهاء", "انتها"],
    &["شیء", "شی"],
    &["ایمیل", "email"],
];

/// Endings a table entry may carry and still be recognised (`مساله‌ها` → `مسئلهها`).
const ENDINGS: &[&str] = &["", "ها", "های", "هایی", "ی", "ای", "یی", "ان", "ات", "اش", "شان"];

/// Other normalised spellings of `term`, without `term` itself.
pub(crate) fn variants(term: &str) -> Vec<String> {
    let term = normalize(term, true);
    let mut out: Vec<String> = Vec::new();
    let mut add = |v: String| {
        if v != term && !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
    };
    if term.contains('ئ') {
        add(term.replace('ئ', "ی"));
        add(term.replace('ئ', "ا"));
        add(term.replace("ئو", "وو"));
        add(term.replace("ئو", "و"));
    }
    if term.contains('ؤ') {
        add(term.replace('ؤ', "و"));
    }
    if term.contains('آ') {
        add(term.replace('آ', "ا"));
    }
    if let Some(rest) = term.strip_prefix('ا') {
        // `اموزش` typed for `آموزش`: only at the start, where آ is common.
        add(format!("آ{rest}"));
    }
    if let Some(stem) = term.strip_suffix('ء') {
        add(stem.to_string());
    }
    for group in GROUPS {
        for member in *group {
            let Some(ending) = term.strip_prefix(member) else {
                continue;
            };
            if !ENDINGS.contains(&ending) {
                continue;
            }
            for other in *group {
                add(format!("{other}{ending}"));
            }
        }
    }
    out
}
