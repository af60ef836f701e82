//! Parsing a whole note: the title rule, folders, aliases, meta keys, dates, and every kind of bad
//! input (each must parse, keep what can be kept, and name its problem's line).

use super::*;

#[test]
fn front_matter_fields() {
    let text = "---\ntitle: Vendor onboarding\nkind: Lesson\nportfolio: Operations\nprogram: Digital Transformation\nproject: ERP Rollout\nauthors: [Sara Ahmadi, Reza Karimi]\ntags: [procurement, ريسك]\ndate: 2026-03-14\nstatus: approved\nkey: true\naudience: steering-committee\nvisibility: internal\nreview_by: 1405-01-15\nsummary: Cost us a quarter.\nbudget_code: FIN-204\nphase: [execution, closing]\n---\n# Ignored heading\nBody text.\n";
    let n = parse("ops/erp/vendor.md", text.as_bytes());
    assert!(n.problems.is_empty(), "{:?}", n.problems);
    assert_eq!(n.title, "Vendor onboarding");
    assert_eq!(n.kind, "lesson");
    assert_eq!(n.program.as_deref(), Some("Digital Transformation"));
    assert_eq!(n.experts, ["Sara Ahmadi", "Reza Karimi"]);
    assert_eq!(n.tags, ["procurement", "ریسک"], "facet values are normalised");
    assert_eq!(n.audience, ["steering-committee"]);
    assert!(n.key);
    assert_eq!(n.date.map(|d| d.format("%F").to_string()).as_deref(), Some("2026-03-14"));
    assert_eq!(n.review_by.map(|d| d.format("%F").to_string()).as_deref(), Some("2026-04-04"));
    assert_eq!(
        n.meta,
        [
            ("budget_code".into(), "FIN-204".into()),
            ("phase".into(), "execution".into()),
            ("phase".into(), "closing".into())
        ]
    );
    assert!(n.text.contains("Body text"));
}

#[test]
fn title_rule_and_folders() {
    let n = parse("prog/proj/sub/my-note.md", b"# The Heading\n\ntext");
    assert_eq!(n.title, "The Heading");
    assert_eq!(n.program.as_deref(), Some("prog"));
    assert_eq!(n.project.as_deref(), Some("proj"));
    assert_eq!(n.kind, DEFAULT_KIND);
    let n = parse("top.md", b"no heading here");
    assert_eq!(n.title, "top");
    assert_eq!(n.program, None);
    let n = parse(
        "طرح/یادداشت.md",
        "+++\ntitle = \"عنوان\"\nexperts = \"سارا احمدی\"\ndate = 2026-01-10\n+++\nمتن".as_bytes(),
    );
    assert!(n.problems.is_empty(), "{:?}", n.problems);
    assert_eq!(n.title, "عنوان");
    assert_eq!(n.program.as_deref(), Some("طرح"));
    assert_eq!(n.experts, ["سارا احمدی"]);
}

#[test]
fn bom_and_crlf() {
    let n = parse("a.md", b"\xEF\xBB\xBF---\r\ntitle: Windows note\r\ndate: 2026-13-45\r\n---\r\nBody\r\n");
    assert_eq!(n.title, "Windows note");
    assert_eq!(n.problems.len(), 1);
    assert_eq!(n.problems[0].line, 3, "{:?}", n.problems);
}

/// Every bad input still parses, keeps its body and names a line.
#[test]
fn bad_input_table() {
    let cases: &[(&str, &[u8], usize, &str)] = &[
        ("invalid yaml", b"---\ntitle: [unclosed\n---\nbody words", 2, "invalid YAML"),
        ("invalid toml", b"+++\ntitle = = 1\n+++\nbody words", 2, "invalid TOML"),
        ("bad date", b"---\ntitle: t\ndate: 2026-13-45\n---\nbody words", 3, "date"),
        ("bad jalali", b"---\ntitle: t\ndate: 1400-12-30\n---\nbody words", 3, "Jalali"),
        ("bad key", b"---\ntitle: t\nkey: maybe\n---\nbody words", 3, "key"),
        ("bad status", b"---\nstatus: finished\n---\nbody words", 2, "status"),
        ("list front matter", b"---\n- a\n- b\n---\nbody words", 1, "mapping"),
        ("invalid utf-8", b"---\ntitle: t\n---\nbody words \xff\xfe here", 4, "UTF-8"),
        ("binary", b"\x00\x01\x02PNG body words", 1, "binary"),
    ];
    for (name, bytes, line, needle) in cases {
        let n = parse("x/bad.md", bytes);
        assert!(!n.problems.is_empty(), "{name}: no problem");
        let p = &n.problems[0];
        assert_eq!(p.line, *line, "{name}: {p:?}");
        assert!(p.message.contains(needle), "{name}: {p:?}");
        if *name != "binary" {
            assert!(n.text.contains("body words"), "{name}: body lost: {:?}", n.text);
        }
        assert!(!n.title.is_empty(), "{name}: no title");
    }
}

#[test]
fn binary_content_is_judged_by_its_first_8_kib() {
    let late = |at: usize| {
        let mut bytes = b"---\ntitle: t\n---\nbody words ".to_vec();
        bytes.resize(at, b'a');
        bytes.push(0);
        parse("x/late.md", &bytes)
    };
    let n = late(8000);
    assert!(n.problems.iter().any(|p| p.message.contains("binary")), "{:?}", n.problems);
    assert!(n.text.is_empty());
    // Further in, a stray NUL is text (a control character), not a sign of a binary file.
    let n = late(9000);
    assert!(n.problems.iter().all(|p| !p.message.contains("binary")), "{:?}", n.problems);
    assert!(n.text.contains("body words"));
}

#[test]
fn empty_and_front_matter_only() {
    let n = parse("empty.md", b"");
    assert_eq!(n.title, "empty");
    assert!(n.problems.is_empty());
    let n = parse("only.md", b"---\ntitle: Only front matter\n---\n");
    assert_eq!(n.title, "Only front matter");
    assert!(n.problems.is_empty());
}

#[test]
fn links_carry_file_lines() {
    let n = parse("p/a.md", b"---\ntitle: t\n---\n\nSee [[b]]\n\nand [c](c.md)\n");
    let lines: Vec<usize> = n.links.iter().map(|l| l.line).collect();
    assert_eq!(lines, [5, 7]);
}

#[test]
fn visibility_fails_closed() {
    // An unknown value is kept (and reported): access control treats it as restricted.
    let n = parse("a.md", b"---\ntitle: A\nvisibility: secret\n---\nbody\n");
    assert_eq!(n.visibility.as_deref(), Some("secret"));
    assert!(n.problems.iter().any(|p| p.message.contains("public, internal, restricted")), "{:?}", n.problems);
    // Front matter that cannot be read may have said restricted.
    for text in ["---\ntitle: [unclosed\nvisibility: public\n---\nbody\n", "---\njust a string\n---\nbody\n"] {
        let n = parse("a.md", text.as_bytes());
        assert_eq!(n.visibility.as_deref(), Some(crate::access::UNREADABLE), "{text:?}");
    }
    for text in ["---\n---\nbody\n", "---\n# only a comment\n---\nbody\n", "no front matter\n"] {
        assert_eq!(parse("a.md", text.as_bytes()).visibility, None, "{text:?}");
    }
}
