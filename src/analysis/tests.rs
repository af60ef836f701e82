//! Tests of the analysis chain: the research's test pairs (section 8), the negative pairs,
//! offsets into the original text, English handling, value normalisation and a fuzz pass.

use std::collections::HashSet;

use super::*;

fn texts(tokens: &[AnalyzedToken]) -> HashSet<String> {
    tokens.iter().map(|t| t.text.clone()).collect()
}

fn main_set(s: &str) -> HashSet<String> {
    texts(&main_tokens(s))
}

fn expanded_set(s: &str) -> HashSet<String> {
    texts(&expanded_tokens(s))
}

fn shared(a: &HashSet<String>, b: &HashSet<String>) -> Vec<String> {
    let mut v: Vec<String> = a.intersection(b).cloned().collect();
    v.sort();
    v
}

/// The main field indexes both spellings identically (same terms at the same positions).
fn assert_same_main(query: &str, doc: &str) {
    let q: Vec<(String, usize)> = main_tokens(query).into_iter().map(|t| (t.text, t.position)).collect();
    let d: Vec<(String, usize)> = main_tokens(doc).into_iter().map(|t| (t.text, t.position)).collect();
    assert!(!q.is_empty(), "no tokens for {query:?}");
    assert_eq!(q, d, "main tokens differ: {query:?} vs {doc:?}");
}

fn assert_shares_main(query: &str, doc: &str) {
    let s = shared(&main_set(query), &main_set(doc));
    assert!(!s.is_empty(), "no shared main token: {query:?} {:?} vs {doc:?} {:?}", main_set(query), main_set(doc));
}

/// Matches only through the expanded field.
fn assert_expanded_only(query: &str, doc: &str) {
    let s = shared(&main_set(query), &main_set(doc));
    assert!(s.is_empty(), "unexpected main match {s:?}: {query:?} vs {doc:?}");
    let s = shared(&expanded_set(query), &expanded_set(doc));
    assert!(
        !s.is_empty(),
        "no shared expanded token: {query:?} {:?} vs {doc:?} {:?}",
        expanded_set(query),
        expanded_set(doc)
    );
}

fn assert_no_main_match(a: &str, b: &str) {
    let s = shared(&main_set(a), &main_set(b));
    assert!(s.is_empty(), "{a:?} and {b:?} must not share a main token, share {s:?}");
}

/// Every token's span is a non-empty slice of the original text.
fn assert_offsets(text: &str, tokens: &[AnalyzedToken]) {
    let mut last_position = 0;
    for t in tokens {
        assert!(t.from < t.to && t.to <= text.len(), "bad span {t:?} in {text:?}");
        assert!(text.is_char_boundary(t.from) && text.is_char_boundary(t.to), "not a char boundary {t:?} in {text:?}");
        assert!(t.position >= last_position, "positions go back {t:?} in {text:?}");
        assert!(!t.text.is_empty() && t.text.len() <= daftar_tokenizer::MAX_TOKEN_BYTES, "bad text {t:?}");
        last_position = t.position;
    }
}

fn span<'a>(text: &'a str, term: &str, tokens: &[AnalyzedToken]) -> &'a str {
    let t = tokens.iter().find(|t| t.text == term).unwrap_or_else(|| panic!("no token {term:?} in {tokens:?}"));
    &text[t.from..t.to]
}

// ---- Section 8: the 20 + 2 pairs (query form, document form) ----

#[test]
fn pair_01_arabic_yeh() {
    assert_same_main("مدیریت", "مديريت");
}

#[test]
fn pair_02_arabic_kaf_and_yeh() {
    assert_same_main("ریسک", "ريسك");
}

#[test]
fn pair_03_alef_maksura() {
    assert_same_main("مصطفی", "مصطفى");
}

#[test]
fn pair_04_zwnj_vs_space() {
    // The parts meet in the expanded field; the query layer also tries phrase(parts) in main.
    assert_expanded_only("درس\u{200C}آموخته", "درس آموخته");
    let parts = main_tokens("درس آموخته");
    assert_eq!(
        parts.iter().map(|t| (t.text.as_str(), t.position)).collect::<Vec<_>>(),
        vec![("درس", 0), ("آموخته", 1)]
    );
    let query = expanded_set("درس\u{200C}آموخته");
    assert!(query.contains("درس") && query.contains("آموخته"), "{query:?}");
}

#[test]
fn pair_05_joined_vs_zwnj_plural() {
    assert_same_main("گزارشها", "گزارش\u{200C}ها");
    assert_eq!(main_set("گزارش\u{200C}ها"), HashSet::from(["گزارشها".to_string()]));
}

#[test]
fn pair_06_verb_prefix_zwnj_vs_joined() {
    assert_same_main("می\u{200C}نویسند", "مینویسند");
}

#[test]
fn pair_07_ezafe_heh_hamza() {
    assert_same_main("برنامه", "برنامه\u{0654}");
}

#[test]
fn pair_08_ezafe_heh_yeh() {
    assert_same_main("برنامه", "برنام\u{06C0}");
}

#[test]
fn ezafe_written_with_zwnj_yeh() {
    assert_same_main("برنامه", "برنامه\u{200C}ی");
    assert_same_main("برنامه\u{0654}", "برنامه\u{200C}ی");
    let text = "برنامه\u{200C}ی سازمان";
    assert_eq!(span(text, "برنامه", &main_tokens(text)), "برنامه\u{200C}ی");
    // Only after heh: `کتابی` (a book) and `خانه‌ای` (a house) are other words.
    assert_same_main("کتابی", "کتاب\u{200C}ی");
    assert_no_main_match("خانه\u{200C}ای", "خانه");
}

#[test]
fn pair_09_harakat_and_shadda() {
    assert_same_main("مدیریت", "م\u{064F}دیری\u{0651}\u{064E}ت");
}

#[test]
fn pair_10_tanvin() {
    assert_same_main("اصلا", "اصلا\u{064B}");
}

#[test]
fn pair_11_tatweel() {
    assert_same_main("پروژه", "پ\u{0640}\u{0640}\u{0640}روژه");
}

#[test]
fn pair_12_persian_vs_ascii_digits() {
    assert_same_main("1403", "۱۴۰۳");
}

#[test]
fn pair_13_decimal_separator() {
    assert_same_main("3.5", "۳\u{066B}۵");
    assert_eq!(main_set("۳٫۵"), HashSet::from(["3.5".to_string()]));
}

#[test]
fn pair_14_alef_madda_omitted() {
    assert_expanded_only("آموزش", "اموزش");
}

#[test]
fn pair_15_yeh_hamza_vs_double_yeh() {
    assert_expanded_only("رئیس", "رییس");
}

#[test]
fn pair_16_hamza_spelling_variant() {
    let doc = main_set("مساله");
    assert!(variants("مسئله").iter().any(|v| doc.contains(v)), "{:?}", variants("مسئله"));
    // And the other way round, through the table.
    let doc = main_set("مسئله");
    assert!(variants("مساله").iter().any(|v| doc.contains(v)), "{:?}", variants("مساله"));
}

#[test]
fn pair_17_teh_marbuta() {
    assert_same_main("جامعه", "جامعة");
}

#[test]
fn pair_18_presentation_forms() {
    assert_same_main("کتاب", "\u{FEDB}\u{FE98}\u{FE8E}\u{FE8F}");
}

#[test]
fn pair_19_plural_an_on_zwnj_compound() {
    assert_expanded_only("ذی\u{200C}نفع", "ذی\u{200C}نفعان");
    assert!(expanded_set("ذی\u{200C}نفعان").contains("ذینفع"));
}

#[test]
fn pair_20_nbsp_and_trailing_rlm() {
    assert_same_main("مدیریت ریسک", "مدیریت\u{00A0}ریسک\u{200F}");
}

#[test]
fn pair_b1_verb_prefix_space_vs_zwnj() {
    assert_shares_main("می نویسند", "می\u{200C}نویسند");
    assert_shares_main("می\u{200C}نویسند", "می نویسند");
    // The glued form sits at the position of `می`, the parts keep theirs.
    let tokens: Vec<(String, usize)> = main_tokens("می نویسند").into_iter().map(|t| (t.text, t.position)).collect();
    assert_eq!(tokens, vec![("می".into(), 0), ("مینویسند".into(), 0), ("نویسند".into(), 1)]);
}

#[test]
fn pair_b2_arabic_indic_vs_persian_digits() {
    assert_same_main("۱۴۰۳", "١٤٠٣");
}

// ---- The further cases of section 8 ----

#[test]
fn heh_yeh_in_nfd() {
    assert_same_main("خانه", "خان\u{06D5}\u{0654}");
}

#[test]
fn waw_hamza_is_loose() {
    assert_expanded_only("مؤسسه", "موسسه");
}

#[test]
fn superscript_alef_trailing_zwj_wasla_swash_kaf() {
    assert_same_main("موسی", "موسی\u{0670}");
    assert_same_main("ریسک", "ریسک\u{200D}");
    assert_same_main("الله", "\u{0671}لله");
    assert_same_main("کتاب", "\u{06AA}تاب");
}

#[test]
fn thousands_separators() {
    assert_same_main("1400", "۱٬۴۰۰");
    assert_same_main("1400", "1,400");
    assert_same_main("1234567", "1,234,567");
    // A comma not followed by a group of three is a list separator.
    assert_eq!(main_set("1,2"), HashSet::from(["1".to_string(), "2".to_string()]));
}

#[test]
fn decomposed_hamza_and_madda_compose() {
    assert_same_main("آب", "ا\u{0653}ب");
    assert_same_main("رئیس", "ری\u{0654}یس");
    assert_same_main("مؤسسه", "مو\u{0654}سسه");
    assert_same_main("ارزیابی", "\u{0623}رزیابی");
}

// ---- Negative tests: must not share a main token ----

#[test]
fn negatives_do_not_match_in_main() {
    assert_no_main_match("کتاب", "کتابخانه");
    assert_no_main_match("خانه", "خان");
    assert_no_main_match("بهتر", "به");
    assert_no_main_match("مدیر", "مدیریت");
    assert_no_main_match("برنامه", "برنامه\u{200C}ریزی");
}

#[test]
fn negatives_stay_apart_in_expanded_where_the_stemmer_could_overreach() {
    for (a, b) in [("خانه", "خان"), ("بهتر", "به"), ("مدیر", "مدیریت"), ("بهترین", "به"), ("خانه\u{200C}ای", "خان")]
    {
        let s = shared(&expanded_set(a), &expanded_set(b));
        assert!(s.is_empty(), "{a:?} / {b:?} share {s:?}");
    }
}

#[test]
fn compound_parts_meet_in_expanded() {
    assert_expanded_only("برنامه", "برنامه\u{200C}ریزی");
    let x = expanded_tokens("برنامه\u{200C}ریزی");
    assert!(x.iter().all(|t| t.position == 0), "{x:?}");
    let text = "برنامه\u{200C}ریزی";
    assert_eq!(span(text, "برنامه", &x), "برنامه");
    assert_eq!(span(text, "ریزی", &x), "ریزی");
    assert_eq!(span(text, "برنامهریزی", &x), text);
}

// ---- Clitic gluing ----

#[test]
fn all_three_spellings_of_a_verb_share_a_main_token() {
    for a in ["می شود", "می\u{200C}شود", "میشود"] {
        for b in ["می شود", "می\u{200C}شود", "میشود"] {
            assert!(main_set(a).contains("میشود") && main_set(b).contains("میشود"), "{a:?} {b:?}");
        }
    }
    assert!(main_set("نمی دانم").contains("نمیدانم"));
}

#[test]
fn detached_suffixes_glue_to_their_host() {
    for (text, glued) in [
        ("گزارش ها", "گزارشها"),
        ("کتاب های", "کتابهای"),
        ("کتاب هایی", "کتابهایی"),
        ("خانه ای", "خانهای"),
        ("بزرگ تر", "بزرگتر"),
        ("بزرگ ترین", "بزرگترین"),
        ("خانه ام", "خانهام"),
        ("خانه ات", "خانهات"),
        ("خانه اش", "خانهاش"),
    ] {
        let tokens = main_tokens(text);
        let t = tokens.iter().find(|t| t.text == glued).unwrap_or_else(|| panic!("{text:?}: {tokens:?}"));
        assert_eq!((t.position, &text[t.from..t.to]), (0, text));
    }
}

#[test]
fn no_gluing_across_punctuation_or_scripts() {
    assert!(!main_set("می، شود").contains("میشود"));
    assert!(!main_set("API ها").contains("apiها"));
    assert!(!main_set("۱۴۰۳ ها").iter().any(|t| t.contains("ها") && t.contains('1')));
}

// ---- Numbers ----

#[test]
fn jalali_date_yields_the_date_and_its_parts() {
    let text = "جلسه ۱۴۰۳/۰۲/۱۵ برگزار شد";
    let tokens = main_tokens(text);
    assert_offsets(text, &tokens);
    let at: Vec<(&str, usize)> = tokens.iter().map(|t| (t.text.as_str(), t.position)).collect();
    assert_eq!(at, vec![("جلسه", 0), ("1403/02/15", 1), ("1403", 1), ("02", 1), ("15", 1), ("برگزار", 2), ("شد", 3)]);
    assert_eq!(span(text, "1403/02/15", &tokens), "۱۴۰۳/۰۲/۱۵");
    assert_eq!(span(text, "02", &tokens), "۰۲");
    assert_same_main("2024-05-01", "۲۰۲۴-۰۵-۰۱");
}

#[test]
fn decimals_stay_one_token() {
    assert_eq!(main_set("3.5"), HashSet::from(["3.5".to_string()]));
    assert_eq!(main_set("نسخه 3.5."), HashSet::from(["نسخه".to_string(), "3.5".to_string()]));
    assert_same_main("3.14", "٣٫١٤");
}

// ---- Offsets ----

#[test]
fn offsets_point_into_the_original_text() {
    let cases = [
        ("م\u{064F}دیری\u{0651}\u{064E}ت", "مدیریت", "م\u{064F}دیری\u{0651}\u{064E}ت"),
        ("اصلا\u{064B} نه", "اصلا", "اصلا\u{064B}"),
        ("پ\u{0640}\u{0640}روژه\u{0640}", "پروژه", "پ\u{0640}\u{0640}روژه\u{0640}"),
        ("x \u{FEDB}\u{FE98}\u{FE8E}\u{FE8F} y", "کتاب", "\u{FEDB}\u{FE98}\u{FE8E}\u{FE8F}"),
        ("مدیریت\u{00A0}ریسک\u{200F}.", "ریسک", "ریسک"),
        ("\u{200F}ریسک", "ریسک", "ریسک"),
        ("ر\u{200D}یسک", "ریسک", "ر\u{200D}یسک"),
        ("The Manager's report", "manager", "Manager"),
        ("\u{FEFB} عدد", "لا", "\u{FEFB}"),
    ];
    for (text, term, source) in cases {
        let tokens = main_tokens(text);
        assert_offsets(text, &tokens);
        assert_eq!(span(text, term, &tokens), source, "{text:?}");
        let tokens = expanded_tokens(text);
        assert_offsets(text, &tokens);
        assert_eq!(span(text, term, &tokens), source, "{text:?}");
    }
}

// ---- English ----

#[test]
fn english_case_folding_in_main_and_stemming_in_expanded() {
    assert_same_main("Report", "REPORT");
    assert_no_main_match("managing", "manage");
    assert!(shared(&expanded_set("managing"), &expanded_set("manage")).contains(&"manag".to_string()));
    assert!(expanded_set("Managing").contains("managing"), "plain word kept in expanded");
    assert_eq!(main_set("the manager's plan"), main_set("the manager plan"));
    assert!(main_set("don't").contains("don"));
}

#[test]
fn accents_compose_and_fold_loosely() {
    assert_same_main("café", "cafe\u{0301}");
    assert_expanded_only("café", "cafe");
    assert_same_main("ﬁle", "file");
    assert_same_main("ＡＢＣ", "abc");
}

#[test]
fn mixed_persian_english() {
    let text = "گزارش‌های Sprint Review در PMO برای API‌ها";
    let tokens = main_tokens(text);
    assert_offsets(text, &tokens);
    let at: Vec<(&str, usize)> = tokens.iter().map(|t| (t.text.as_str(), t.position)).collect();
    assert_eq!(
        at,
        vec![("گزارشهای", 0), ("sprint", 1), ("review", 2), ("در", 3), ("pmo", 4), ("برای", 5), ("apiها", 6)]
    );
    let x = expanded_set(text);
    for term in ["گزارش", "api", "sprint", "review"] {
        assert!(x.contains(term), "{term} missing from {x:?}");
    }
    assert!(!x.contains("ها"), "bare clitic parts are not indexed alone");
    // Expanded is a superset of main, at the same positions.
    let main: HashSet<(String, usize)> = tokens.into_iter().map(|t| (t.text, t.position)).collect();
    let exp: HashSet<(String, usize)> = expanded_tokens(text).into_iter().map(|t| (t.text, t.position)).collect();
    assert!(main.is_subset(&exp));
}

// ---- Stemming ----

#[test]
fn persian_light_stemming() {
    for (word, stem) in [
        ("گزارشها", "گزارش"),
        ("کتاب\u{200C}های", "کتاب"),
        ("کتابهایی", "کتاب"),
        ("کتاب\u{200C}هایشان", "کتاب"),
        ("دوستان", "دوست"),
        ("مستندات", "مستند"),
        ("بزرگترین", "بزرگ"),
        ("بیشتر", "بیش"),
        ("ایرانی", "ایران"),
        ("ایرانیان", "ایران"),
        ("دانشجویان", "دانشجو"),
        ("زیبایی", "زیبا"),
        ("نمایندگان", "نماینده"),
        ("خانه\u{200C}ای", "خانه"),
        ("مدیریتی", "مدیریت"),
    ] {
        assert!(expanded_set(word).contains(stem), "{word} → {stem}: {:?}", expanded_set(word));
    }
    for word in ["ایران", "سازمان", "برنامه", "کردستان", "پشتیبان", "فیلتر", "بازی", "مدیریت", "بهترین"]
    {
        let x = expanded_set(word);
        assert_eq!(x.len(), 1, "{word} must not be stemmed: {x:?}");
    }
}

// ---- Values ----

#[test]
fn normalize_value_keeps_case_and_inner_zwnj() {
    assert_eq!(normalize_value("  مديريت   ريسك "), "مدیریت ریسک");
    assert_eq!(normalize_value("\u{200C}برنامه\u{200C}\u{200C}ریزی\u{200C} PMO"), "برنامه\u{200C}ریزی PMO");
    assert_eq!(normalize_value("برنامه\u{200C} ریزی"), "برنامه ریزی");
    assert_eq!(normalize_value("پـروژهٔ\u{200F} Alpha"), "پروژه Alpha");
    assert_eq!(normalize_value("۱۴۰۳/۰۲/۱۵"), "1403/02/15");
    assert_eq!(normalize_value("۳٫۵٪"), "3.5%");
    assert_eq!(normalize_value("۱٬۴۰۰"), "1400");
    assert_eq!(normalize_value("\u{FEDB}\u{FE98}\u{FE8E}\u{FE8F}"), "کتاب");
    assert_eq!(normalize_value("a\u{00A0}\tb"), "a b");
    assert_eq!(normalize_value("In-Progress"), "In-Progress");
}

#[test]
fn fold_key_takes_an_ascii_shortcut_to_the_same_key() {
    let slow = |s: &str| -> String {
        super::value_normalizer::normalize(s, true).chars().filter(|c| !c.is_whitespace()).collect()
    };
    let mut differ = Vec::new();
    for b in 0u8..128 {
        let one = format!("a{}b", char::from(b));
        if fold_key(&one) != slow(&one) {
            differ.push((b, slow(&one)));
        }
    }
    assert!(differ.is_empty(), "{differ:?}");
    let mut seed = 7u64;
    for _ in 0..2000 {
        let text: String = (0..(seed % 40))
            .map(|_| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                char::from((seed >> 33) as u8 % 128)
            })
            .collect();
        assert_eq!(fold_key(&text), slow(&text), "{text:?}");
    }
}

#[test]
fn fold_key_lowercases_and_drops_zwnj() {
    assert_eq!(fold_key("Program\u{200C}Alpha"), "programalpha");
    assert_eq!(fold_key("برنامه\u{200C}ریزی"), fold_key("برنامهریزی"));
    assert_eq!(fold_key(" In  Progress "), "inprogress");
    assert_eq!(fold_key("برنامه ریزی"), fold_key("برنامه\u{200C}ریزی"));
    assert_eq!(fold_key("ريسك"), fold_key("ریسک"));
}

#[test]
fn stop_words() {
    for w in ["و", "در", "که", "می", "است", "the", "of", "میشود"] {
        assert!(is_stop_word(w), "{w}");
    }
    for w in ["مدیریت", "ریسک", "project", "not"] {
        assert!(!is_stop_word(w), "{w}");
    }
}

#[test]
fn word_lists_are_written_normalised() {
    let lists = stop_words::PERSIAN.split_whitespace().chain(stop_words::ENGLISH.split_whitespace());
    for w in lists {
        assert_eq!(main_set(w), HashSet::from([w.to_string()]), "stop word {w:?} is not in indexed form");
    }
}

#[test]
fn variants_cover_hamza_and_loanwords() {
    let has = |term: &str, v: &str| variants(term).iter().any(|x| x == v);
    assert!(has("هیئت", "هیات"));
    assert!(has("هیات", "هیئت"));
    assert!(has("مسئول", "مسوول"));
    assert!(has("مسئولیت", "مسولیت"));
    assert!(has("اطاق", "اتاق"));
    assert!(has("مسالهها", "مسئلهها"));
    assert!(has("اجزاء", "اجزا"));
    assert!(has("اموزش", "آموزش"));
    assert!(!variants("مسئله").contains(&"مسئله".to_string()));
    assert!(variants("کتاب").is_empty());
}

#[test]
fn arabic_block_letters_match_unicode() {
    use char_class::{classify, CharClass};
    for cp in 0x0600..=0x06FF {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        match classify(c) {
            CharClass::Letter(_) | CharClass::Digit(_) => {
                assert!(c.is_alphanumeric(), "U+{cp:04X} is not a letter")
            }
            CharClass::Punct(_) | CharClass::Ignorable => {
                assert!(!c.is_alphanumeric(), "U+{cp:04X} is a letter")
            }
            _ => {}
        }
    }
}

// ---- Weird input never panics ----

#[test]
fn empty_and_weird_input() {
    for text in [
        "",
        " ",
        "\u{200C}",
        "\u{200C}\u{200C} \u{200C}",
        "\u{064E}\u{0651}",
        "\u{0301}\u{0301}",
        "\u{0654}",
        "😀👩\u{200D}💻",
        "\u{FDFA}",
        "a'",
        "'s",
        "1.",
        ".5",
        "1/",
        "/1",
        "1,",
        "1,23",
        "ـــ",
        "\u{FEFF}",
        "İstanbul",
    ] {
        let m = main_tokens(text);
        assert_offsets(text, &m);
        let x = expanded_tokens(text);
        assert_offsets(text, &x);
        let _ = normalize_value(text);
        let _ = fold_key(text);
        let _ = variants(text);
    }
    assert!(main_tokens("").is_empty());
    assert!(main_tokens("\u{200C}").is_empty());
    assert!(main_tokens("\u{064E}\u{0651}").is_empty());
    assert!(main_tokens("😀").is_empty());
    assert_eq!(main_set("\u{FDFA}"), main_set("صلی الله علیه وسلم"));
}

#[test]
fn overlong_tokens_are_dropped_and_positions_still_advance() {
    let long = "ب".repeat(200); // 400 bytes
    let text = format!("الف {long} ج");
    let tokens = main_tokens(&text);
    let at: Vec<(&str, usize)> = tokens.iter().map(|t| (t.text.as_str(), t.position)).collect();
    assert_eq!(at, vec![("الف", 0), ("ج", 2)]);
    let compound = "مدیریت\u{200C}ریسک\u{200C}های\u{200C}استراتژیک\u{200C}پروژه\u{200C}ها";
    assert!(main_set(compound).contains("مدیریتریسکهایاستراتژیکپروژهها"));
}

#[test]
fn pathological_words_stay_bounded() {
    let blob = "ab\u{200C}".repeat(50_000);
    let x = expanded_tokens(&blob);
    assert_offsets(&blob, &x);
    assert!(x.len() <= 40, "{} tokens", x.len());
    let date = "1/".repeat(50_000);
    assert!(main_tokens(&date).len() <= 40);
}

#[test]
fn registered_analyzers_index_through_tantivy() {
    let manager = tantivy::tokenizer::TokenizerManager::default();
    register(&manager);
    let tokens = |name: &str| {
        let mut analyzer = manager.get(name).unwrap_or_else(|| panic!("{name} not registered"));
        let mut stream = analyzer.token_stream("گزارش‌ها managing");
        let mut seen = Vec::new();
        while let Some(t) = stream.next() {
            seen.push((t.text.clone(), t.position));
        }
        seen
    };
    let main = tokens(MAIN);
    assert!(main.contains(&("گزارشها".to_string(), 0)), "{main:?}");
    // The expanded field holds only what the main field lacks, at the same positions.
    let extras = tokens(EXPANDED);
    assert!(extras.contains(&("گزارش".to_string(), 0)), "{extras:?}");
    assert!(extras.contains(&("manag".to_string(), 1)), "{extras:?}");
    assert!(extras.iter().all(|t| !main.contains(t)), "{extras:?} repeats {main:?}");
    assert_eq!(extras, extra_tokens("گزارش‌ها managing").into_iter().map(|t| (t.text, t.position)).collect::<Vec<_>>());
}

/// A deterministic generator (no proptest): xorshift.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn fuzz_offsets_are_char_boundaries() {
    let alphabet: Vec<char> = "abcXYZ019 .,/-'’sیيکكهةۀآأاإئؤءو\u{0654}\u{0653}\u{064E}\u{0651}\u{0640}\u{200C}\u{200C}\u{200D}\u{200F}\u{00A0}۱۲٣٫٬٪\u{FEDB}\u{FE8E}\u{FEFB}\u{FDFA}\u{0301}é😀👩\u{FE0F}İǅﬁＡ…«»،\n\u{0670}\u{0671}ـمینهاتر"
        .chars()
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..fuzz_iterations() {
        let len = (rng.next() % 24) as usize;
        let text: String = (0..len).map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize]).collect();
        let main = main_tokens(&text);
        assert_offsets(&text, &main);
        let expanded = expanded_tokens(&text);
        assert_offsets(&text, &expanded);
        let main: HashSet<(String, usize)> = main.into_iter().map(|t| (t.text, t.position)).collect();
        let expanded: HashSet<(String, usize)> = expanded.into_iter().map(|t| (t.text, t.position)).collect();
        assert!(main.is_subset(&expanded), "{text:?}");
        let value = normalize_value(&text);
        assert_eq!(normalize_value(&value), value, "normalize_value not idempotent on {text:?}");
        let key = fold_key(&text);
        assert_eq!(fold_key(&key), key, "fold_key not idempotent on {text:?}");
        let _ = variants(&text);
    }
}

/// `DAFTAR_FUZZ=n` runs the fuzz pass longer.
fn fuzz_iterations() -> usize {
    std::env::var("DAFTAR_FUZZ").ok().and_then(|v| v.parse().ok()).unwrap_or(4000)
}

/// Tokens as the index's registered analysers produce them: `main` for the text, then `expanded`
/// for `expanded_text`, on one thread (the expanded one replays the main one's words when the
/// texts are equal).
fn registered(text: &str, expanded_text: &str) -> (Vec<AnalyzedToken>, Vec<AnalyzedToken>) {
    let manager = TokenizerManager::default();
    register(&manager);
    let main = analyse(&mut manager.get(MAIN).expect("main"), text);
    let expanded = analyse(&mut manager.get(EXPANDED).expect("expanded"), expanded_text);
    (main, expanded)
}

fn analyse(analyzer: &mut tantivy::tokenizer::TextAnalyzer, text: &str) -> Vec<AnalyzedToken> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push(AnalyzedToken { text: t.text.clone(), from: t.offset_from, to: t.offset_to, position: t.position });
    }
    out
}

fn same(a: &[AnalyzedToken], b: &[AnalyzedToken]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| (&x.text, x.from, x.to, x.position) == (&y.text, y.from, y.to, y.position))
}

#[test]
fn replayed_words_give_the_tokens_a_fresh_reading_gives() {
    let mut texts: Vec<String> = [
        "گزارش‌های پروژه‌ی برنامه‌ریزی می شود؛ کتاب ها و خانه‌ای در ۱۴۰۳/۰۲/۱۵",
        "The vendors' onboarding was re-planned: 1,200.50 USD, e-mail, API‌ها and APIها.",
        "مسئولیت مسؤولیت رئیس ريسك كمیته — «کمیته راهبری» ﻻ ﷺ Ａｂｃ ﬁnance",
        "",
        "   ",
        "word",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let alphabet: Vec<char> =
        "abc019 .,/-'sیيکكهةۀآأاإئؤءو\u{0654}\u{064E}\u{0640}\u{200C}\u{200D}۱۲٫٬\u{FEDB}\u{FEFB}é\nمینهاتر"
            .chars()
            .collect();
    let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
    for _ in 0..fuzz_iterations() / 4 {
        let len = (rng.next() % 40) as usize;
        texts.push((0..len).map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize]).collect());
    }
    for text in &texts {
        let (main, expanded) = registered(text, text);
        assert!(same(&main, &main_tokens(text)), "main tokens differ for {text:?}");
        assert!(same(&expanded, &extra_tokens(text)), "replayed extras differ for {text:?}");
    }
    // Another text next is read afresh, not replayed from the last one.
    let (_, expanded) = registered("vendors onboarding", "planned vendors");
    assert!(same(&expanded, &extra_tokens("planned vendors")), "{expanded:?}");
    // A main reading stopped before the end leaves nothing to replay.
    let manager = TokenizerManager::default();
    register(&manager);
    let mut main = manager.get(MAIN).expect("main");
    let mut stream = main.token_stream("planned vendors");
    assert!(stream.advance());
    let expanded = analyse(&mut manager.get(EXPANDED).expect("expanded"), "planned vendors");
    assert!(same(&expanded, &extra_tokens("planned vendors")), "{expanded:?}");
}

#[test]
fn remembered_and_recorded_forms_are_the_forms_derived_afresh() {
    // The indexing analysers over many texts, as an indexing thread uses them: the second time
    // round every simple word takes its forms from the memo, and the tokens must not change.
    let mut texts: Vec<String> = [
        "The managers planned the vendors' onboarding; planning, plans and managing: résumé naïve",
        "آموزش‌ها و آموزش، مسئولیت مسؤولیت رئیس ريسك كمیته راهبری گزارش ها گزارش‌ها می شود",
        "كتابهای کتاب‌ها کتابها دانشگاه‌ها دانشگاهی ۱۴۰۳/۰۲/۱۵ 1,200.50 e-mail API‌ها",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let alphabet: Vec<char> = "abcdeginrst .,-'یيکكهآأاإئؤءو\u{200C}\u{064E}۱٫é\nمینهاترشدگز".chars().collect();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for _ in 0..fuzz_iterations() / 4 {
        let len = (rng.next() % 60) as usize;
        texts.push((0..len).map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize]).collect());
    }
    let manager = TokenizerManager::default();
    register(&manager);
    // The expanded analyser alone (no recording to replay), then the main one recording for it.
    let mut alone = manager.get(EXPANDED).expect("expanded");
    let (mut main, mut expanded) = (manager.get(MAIN).expect("main"), manager.get(EXPANDED).expect("expanded"));
    for text in texts.iter().chain(&texts) {
        let fresh = main_tokens(text);
        let main_set: HashSet<(String, usize)> = fresh.iter().map(|t| (t.text.clone(), t.position)).collect();
        let derived: Vec<AnalyzedToken> =
            expanded_tokens(text).into_iter().filter(|t| !main_set.contains(&(t.text.clone(), t.position))).collect();
        let indexed = analyse(&mut alone, text);
        assert!(same(&indexed, &derived), "{text:?}: indexed {indexed:?}, derived afresh {derived:?}");
        let streamed = analyse(&mut main, text);
        assert!(same(&streamed, &fresh), "{text:?}: main {streamed:?}, afresh {fresh:?}");
        let replayed = analyse(&mut expanded, text);
        assert!(same(&replayed, &derived), "{text:?}: replayed {replayed:?}, derived afresh {derived:?}");
    }
}
