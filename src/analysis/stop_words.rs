//! Persian and English stop words, for the query side only.
//!
//! Nothing is removed at index time: Lucene's Persian analyzer drops `می`, `شود`, `است` and made
//! `می‌شود` unsearchable, and dropping words breaks phrases. The query layer uses this list to
//! not count stop words among the terms a note must match. The Persian list follows hazm's and
//! Savoy's (the one Lucene ships), reduced to function words and written as the analyzers
//! normalise them (`ی`, `ک`, ZWNJ removed); the English list is Snowball's, minus negations
//! people search for on purpose.

use std::sync::OnceLock;

pub(crate) const PERSIAN: &str = "\
    و در به از که این را با است برای آن یک خود تا کرد بر هم نیز شد شده شود میشود می نمی ها های هایی \
    ای تر ترین ام ات اش یا هر همه اما ولی اگر پس سپس بین روی زیر پیش بعد قبل نزد مانند مثل طبق توسط \
    درباره میان جز مگر بی بدون چه چرا چون چند چگونه کجا کدام آیا او وی ما شما ایشان آنها اینها آنان \
    من تو خویش دیگر دیگری همین همان چنین چنان آنچه اینکه آنکه هیچ بسیار خیلی فقط حتی البته زیرا \
    بنابراین همچنین همچون ضمن طی نه بود بوده بودند باشد باشند هست هستند نیست نبود کرده کردند کند \
    کنند میکند میکنند کنیم میکنیم شدند شوند میشوند دارد دارند داشت داشته خواهد خواهند باید نباید \
    میتوان میباشد میباشند گردد گردید نمود نماید یکی برخی بعضی چنانچه وقتی هنگامی اکنون هنوز کسی چیزی \
    سوی علیه وگرنه لذا پیرامون همراه تنها";

pub(crate) const ENGLISH: &str = "\
    a an and are as at be but by for if in into is it of on or such that the their then there these \
    they this to was will with i me my we our you your he him his she her its them what which who \
    whom am were been being have has had having do does did doing would should could can from up \
    down out over under again further once here when where why how all any both each few more most \
    other some own same so than too very just about above after before below between during through \
    until while against off s t those only";

/// Is this normalised term a stop word?
pub(crate) fn is_stop_word(term: &str) -> bool {
    static SORTED: OnceLock<Vec<&'static str>> = OnceLock::new();
    SORTED
        .get_or_init(|| {
            let mut v: Vec<&'static str> = PERSIAN.split_whitespace().chain(ENGLISH.split_whitespace()).collect();
            v.sort_unstable();
            v
        })
        .binary_search(&term)
        .is_ok()
}
