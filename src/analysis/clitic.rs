//! Persian clitics: the verbal prefixes and the suffixes written detached, with a ZWNJ or joined.
//!
//! The same word appears as `می‌شود`, `میشود` and `می شود`, or `گزارش‌ها`, `گزارشها` and
//! `گزارش ها`. The main field indexes the joined form for all three (a detached clitic is glued
//! to its neighbour as an extra token); the expanded field does not index a clitic part alone,
//! since `ها` or `می` on their own match nearly every note.

/// Verbal prefixes glued to the following word.
pub(crate) fn is_prefix(word: &str) -> bool {
    matches!(word, "می" | "نمی")
}

/// Suffixes glued to the preceding word when written detached.
pub(crate) fn is_suffix(word: &str) -> bool {
    matches!(word, "ها" | "های" | "هایی" | "ای" | "تر" | "ترین" | "ام" | "ات" | "اش")
}

/// A compound part that means nothing alone.
pub(crate) fn is_bare(part: &str) -> bool {
    is_prefix(part)
        || is_suffix(part)
        || matches!(
            part,
            "هایش"
                | "هایم"
                | "هایت"
                | "هایمان"
                | "هایتان"
                | "هایشان"
                | "ی"
                | "یی"
                | "ایم"
                | "اید"
                | "اند"
                | "شان"
                | "مان"
                | "تان"
                | "بی"
        )
}
