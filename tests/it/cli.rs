//! The command line as a user runs it: `index`, `search`, `check`, `new` on real folders.

use super::harness::{daftar, stderr, stdout, Root};

fn search_json(root: &Root, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["search", "--json"];
    all.extend_from_slice(args);
    let out = root.daftar(&all);
    assert!(out.status.success(), "search {args:?} failed: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).expect("search --json prints JSON")
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    v["hits"].as_array().expect("hits").iter().map(|h| h["id"].as_str().expect("id").to_string()).collect()
}

#[test]
fn index_is_incremental_and_rebuildable() {
    let root = Root::knowledge();
    let first = root.daftar(&["index"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("56 added, 0 updated, 0 removed"), "55 notes and a PDF: {}", stdout(&first));
    let second = root.daftar(&["index"]);
    assert!(stdout(&second).contains("0 added, 0 updated, 0 removed, 56 unchanged"), "{}", stdout(&second));
    assert!(root.path.join(".daftar/.gitignore").is_file(), "the index folder ignores itself for git");

    // Touched but identical: unchanged. Edited: updated. Deleted: removed. New: added.
    let note = root.path.join("digital-transformation/erp-rollout/lessons/vendor-onboarding.md");
    let text = std::fs::read_to_string(&note).expect("read");
    std::fs::write(&note, &text).expect("touch");
    let out = stdout(&root.daftar(&["index"]));
    assert!(out.contains("0 added, 0 updated, 0 removed"), "{out}");
    std::fs::write(&note, text.replace("three months", "four months")).expect("edit");
    std::fs::remove_file(root.path.join("pmo/pmis/pmis-architecture.md")).expect("rm");
    root.write("pmo/new-note.md", "# A brand new note\n\nzygomorphic content\n");
    let out = stdout(&root.daftar(&["index"]));
    assert!(out.contains("1 added, 1 updated, 1 removed"), "{out}");
    assert_eq!(ids(&search_json(&root, &["zygomorphic"])), ["pmo/new-note.md"]);
    assert!(ids(&search_json(&root, &["PMIS", "architecture"])).iter().all(|i| i != "pmo/pmis/pmis-architecture.md"));

    let rebuilt = stdout(&root.daftar(&["index", "--rebuild"]));
    assert!(rebuilt.contains("56 added, 0 updated, 0 removed"), "{rebuilt}");

    // An index written by another version (its schema, or how it analyses text) is rebuilt, not
    // misread: fields such as the access grants would otherwise be missing.
    std::fs::write(root.path.join(".daftar/versions.json"), r#"{"schema":1,"analyzer":1}"#).expect("write");
    let upgraded = stdout(&root.daftar(&["index"]));
    assert!(upgraded.contains("56 added, 0 updated, 0 removed"), "{upgraded}");
}

/// `daftar index` builds on mimalloc (src/memory.rs); the other commands, and the index they
/// read, stay on glibc's malloc.
#[test]
fn the_index_command_builds_on_mimalloc_and_the_rest_run_on_glibc() {
    let root = Root::knowledge();
    let path = root.path.to_str().expect("utf-8 path");
    let logged = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_daftar"))
            .args(args)
            .env("RUST_LOG", "daftar=debug")
            .output()
            .expect("run daftar");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        out
    };
    let index = logged(&["index", "--root", path, "--rebuild"]);
    assert!(stderr(&index).contains("heap=mimalloc"), "{}", stderr(&index));
    assert!(stdout(&index).contains("56 added"), "{}", stdout(&index));
    let search = logged(&["search", "--root", path, "--json", "vendor", "onboarding"]);
    assert!(stderr(&search).contains("heap=glibc"), "{}", stderr(&search));
    let found: serde_json::Value = serde_json::from_str(&stdout(&search)).expect("JSON");
    assert!(ids(&found).contains(&"digital-transformation/erp-rollout/lessons/vendor-onboarding.md".to_string()));
    let check = logged(&["check", "--root", path]);
    assert!(stderr(&check).contains("heap=glibc"), "{}", stderr(&check));
}

#[test]
fn search_finds_english_persian_and_filters() {
    let root = Root::knowledge();
    let en = search_json(&root, &["proprietary"]);
    assert_eq!(ids(&en)[0], "digital-transformation/data-platform/decisions/decision-lakehouse-platform.md");
    let fa = search_json(&root, &["ریسک‌نامه"]);
    assert!(ids(&fa)[0].ends_with("ثبت-ریسک‌های-پست-فوق-توزیع.md"), "{fa}");
    // Arabic-keyboard spelling in the note, Persian in the query.
    let variant = search_json(&root, &["پیمانکار"]);
    assert!(ids(&variant).iter().any(|i| i.ends_with("صورتجلسه-بازدید-کارگاه.md")), "{variant}");

    let all = search_json(&root, &["rehearsal"]);
    assert!(all["total"].as_u64().expect("total") >= 2);
    let program = all["hits"][0]["program"].as_str().expect("program").to_string();
    let filtered = search_json(&root, &["rehearsal", "--program", &program]);
    assert!(!ids(&filtered).is_empty());
    for h in filtered["hits"].as_array().expect("hits") {
        assert_eq!(h["program"], program.as_str());
    }
    let hit = &all["hits"][0];
    for key in [
        "id",
        "title",
        "kind",
        "portfolio",
        "program",
        "project",
        "experts",
        "tags",
        "date",
        "status",
        "key",
        "score",
        "matched",
        "snippet",
    ] {
        assert!(hit.get(key).is_some(), "hit lacks {key}: {hit}");
    }
    assert!(hit["snippet"].as_str().expect("snippet").contains("<mark>"), "{hit}");
}

#[test]
fn search_ranks_every_word_first_and_all_keeps_only_those() {
    let root = Root::empty();
    root.write("a.md", "# Alpha\n\nvendor onboarding cutover\n");
    root.write("b.md", "# Beta\n\nvendor vendor vendor vendor onboarding\n");
    root.write("c.md", "# Gamma\n\nvendor vendor vendor vendor vendor vendor\n");
    let res = search_json(&root, &["vendor", "onboarding", "cutover"]);
    assert_eq!(ids(&res), ["a.md", "b.md", "c.md"]);
    let matched: Vec<u64> =
        res["hits"].as_array().expect("hits").iter().map(|h| h["matched"].as_u64().expect("n")).collect();
    assert_eq!(matched, [3, 2, 1]);
    assert_eq!(ids(&search_json(&root, &["vendor", "onboarding", "cutover", "--all"])), ["a.md"]);
    assert_eq!(ids(&search_json(&root, &["vendor -cutover -onboarding"])), ["c.md"]);
    assert_eq!(ids(&search_json(&root, &["\"onboarding cutover\""])), ["a.md"]);
    assert_eq!(ids(&search_json(&root, &["gamma", "OR", "alpha"])).len(), 2);
}

#[test]
fn query_errors_are_reported_not_crashed() {
    let root = Root::knowledge();
    for q in ["\"unclosed", "colour:red", "program:", "(a b"] {
        let out = root.daftar(&["search", q]);
        assert_eq!(out.status.code(), Some(2), "{q}");
        assert!(!stderr(&out).contains("panicked"), "{q}: {}", stderr(&out));
    }
}

#[test]
fn check_passes_on_the_bundled_knowledge_and_names_file_and_line() {
    let root = Root::knowledge();
    let ok = root.daftar(&["check"]);
    assert!(ok.status.success(), "{}{}", stdout(&ok), stderr(&ok));

    root.write(
        "zz/bad-date.md",
        "---\ntitle: A bad date\nkind: lesson\ndate: 2026-13-45\n---\n\nSee [[no-such-note]].\n",
    );
    let bad = root.daftar(&["check"]);
    assert_eq!(bad.status.code(), Some(1));
    let out = stdout(&bad);
    assert!(out.contains("zz/bad-date.md:4: date:"), "{out}");
    assert!(out.contains("zz/bad-date.md:7: broken link: `no-such-note`"), "{out}");
    // Only the named path is checked, but links resolve against the whole root.
    let one = root.daftar(&["check", root.path.join("pmo").to_str().expect("path")]);
    assert!(one.status.success(), "{}", stdout(&one));

    // The invalid note is still indexed and findable.
    let found = search_json(&root, &["bad", "date"]);
    assert_eq!(ids(&found)[0], "zz/bad-date.md");
}

#[test]
fn no_file_can_crash_index_or_check() {
    let root = Root::empty();
    root.write("good.md", "# Good note\n\ngood words\n");
    root.write("yaml.md", "---\ntitle: [unclosed\n---\nyamlbody words\n");
    root.write("toml.md", "+++\ntitle = = 3\n+++\ntomlbody words\n");
    root.write("utf8.md", b"# Latin\n\nbody \xff\xfe bytes utf8body\n".as_slice());
    root.write("binary.md", [0u8, 159, 146, 150, 0, 1, 2, 3].as_slice());
    root.write("empty.md", "");
    root.write("only.md", "---\ntitle: Only front matter\n---\n");
    root.write("big.md", vec![b'a'; 10 * 1024 * 1024 + 1]);
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.md"), "# Secret\n\nclassified words\n").expect("write");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.path().join("secret.md"), root.path.join("leak.md")).expect("symlink");
        std::os::unix::fs::symlink(root.path.join("loop.md"), root.path.join("loop.md")).expect("symlink");
    }
    let out = root.daftar(&["index"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = stdout(&out);
    let expected_added = if cfg!(unix) { 10 } else { 8 };
    assert!(summary.contains(&format!("{expected_added} added")), "{summary}");

    for word in ["yamlbody", "tomlbody", "utf8body"] {
        assert_eq!(ids(&search_json(&root, &[word])).len(), 1, "{word} lost");
    }
    assert!(ids(&search_json(&root, &["classified"])).is_empty(), "a symlink leaving the root was followed");

    let check = root.daftar(&["check"]);
    assert_eq!(check.status.code(), Some(1));
    let report = stdout(&check);
    for needle in [
        "yaml.md:2: invalid YAML",
        "toml.md:2: invalid TOML",
        "utf8.md:3: not valid UTF-8",
        "binary.md:1: binary",
        "big.md:1: file is 10.0 MiB, over the 10 MiB limit",
    ] {
        assert!(report.contains(needle), "missing {needle:?} in\n{report}");
    }
    #[cfg(unix)]
    {
        assert!(report.contains("leak.md:1: symlink points outside"), "{report}");
        assert!(report.contains("loop.md:1: symlink is broken or loops"), "{report}");
    }
    assert!(!report.contains("good.md") && !report.contains("empty.md") && !report.contains("only.md"), "{report}");
}

#[test]
fn new_writes_a_valid_note_once() {
    let root = Root::empty();
    let out = root.daftar(&[
        "new",
        "--kind",
        "lesson",
        "--program",
        "Digital Transformation",
        "--project",
        "ERP Rollout",
        "--title",
        "Cutover rehearsal went long",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let path = root.path.join("digital-transformation/erp-rollout/cutover-rehearsal-went-long.md");
    assert_eq!(stdout(&out).trim(), path.display().to_string());
    let text = std::fs::read_to_string(&path).expect("written");
    let today = chrono::Local::now().format("date: %Y-%m-%d").to_string();
    assert!(text.contains(&today), "{text}");
    assert!(root.daftar(&["check"]).status.success(), "a new note must pass check");
    let again = root.daftar(&[
        "new",
        "--kind",
        "lesson",
        "--program",
        "Digital Transformation",
        "--project",
        "ERP Rollout",
        "--title",
        "Cutover rehearsal went long",
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("never overwrites"), "{}", stderr(&again));

    let fa = root.daftar(&[
        "new",
        "--kind",
        "decision",
        "--program",
        "طرح توسعه شبکه برق",
        "--title",
        "تصمیم درباره پیمانکار",
    ]);
    assert!(fa.status.success(), "{}", stderr(&fa));
    assert!(root.path.join("طرح-توسعه-شبکه-برق/تصمیم-درباره-پیمانکار.md").is_file());
}

#[test]
fn a_second_writer_is_refused_clearly() {
    let root = Root::knowledge();
    assert!(root.daftar(&["index"]).status.success());
    let index = tantivy_lock(&root);
    let out = root.daftar(&["index"]);
    drop(index);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("in use by another daftar process"), "{}", stderr(&out));
}

/// Holds the index writer as another process would.
fn tantivy_lock(root: &Root) -> daftar::index::writer::Writer {
    let index = daftar::index::Index::open(&root.path.join(".daftar"), false).expect("open");
    index.writer().expect("writer")
}

#[test]
fn help_lists_the_commands() {
    let out = daftar(&["--help"]);
    for cmd in ["serve", "index", "search", "check", "new"] {
        assert!(stdout(&out).contains(cmd), "{cmd}");
    }
}

/// The spelling variants of the search evaluation work end to end through the command line.
#[test]
fn spelling_variants_through_the_command_line() {
    let root = Root::knowledge();
    let cases = [
        ("پیمانکار", "صورتجلسه-بازدید-کارگاه.md"),
        ("مسیریاب ها", "درس‌آموخته-قطعی-شبکه-شعب.md"),
        ("يكسان‌سازي", "راهنمای-مدیریت-ریسک.md"),
        ("تاخیر ترانسفورماتور", "درس‌آموخته-تأخیر-تأمین‌کننده.md"),
        ("مساله اسکادا", "مسئله-ارتباطات-اسکادا.md"),
        ("شـــهروندان", "درس‌آموخته-آزمون-کاربرپذیری.md"),
        ("onbaording vendors", "vendor-onboarding.md"),
    ];
    for (q, want) in cases {
        let top = ids(&search_json(&root, &[q, "--limit", "3"]));
        assert!(top.iter().any(|id| id.ends_with(want)), "{q}: {top:?}");
    }
    let prefix = ids(&search_json(&root, &["--prefix", "ابرک"]));
    assert!(prefix.first().is_some_and(|id| id.ends_with("تجربه-آموزش-کاربران-ERP.md")), "{prefix:?}");
}

#[test]
fn a_same_size_save_in_the_same_clock_tick_is_not_missed() {
    // "Racily clean": the file is read, then saved again with the same size before its mtime moves.
    // The second save is simulated by restoring the first mtime, as a coarse clock would.
    let root = Root::empty();
    let note = root.write("a.md", "# Racy\n\nzzfirstversion\n");
    let first = std::fs::metadata(&note).and_then(|m| m.modified()).expect("mtime");
    assert!(stdout(&root.daftar(&["index"])).contains("1 added"));
    std::fs::write(&note, "# Racy\n\nzzsecondversio\n").expect("save");
    std::fs::File::options().write(true).open(&note).and_then(|f| f.set_modified(first)).expect("set mtime");
    let out = stdout(&root.daftar(&["index"]));
    assert!(out.contains("0 added, 1 updated"), "{out}");
    assert_eq!(ids(&search_json(&root, &["zzsecondversio"])), ["a.md"]);
}

#[test]
fn typo_tolerance_follows_the_search_table_of_the_config() {
    let root = Root::knowledge();
    assert!(!ids(&search_json(&root, &["stakeholdr"])).is_empty(), "one typo is forgiven by default");
    root.write("daftar.toml", "[search]\none_typo_from = 20\ntwo_typos_from = 20\n");
    assert_eq!(ids(&search_json(&root, &["stakeholdr"])), Vec::<String>::new(), "typos turned off");
    root.write("daftar.toml", "[search]\none_typo_from = 6\ntwo_typos_from = 5\n");
    let out = root.daftar(&["search", "procurment"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("daftar.toml") && stderr(&out).contains("one_typo_from"), "{}", stderr(&out));
}

/// A first sync indexes every note the scan lists, once, tells its progress note by note, and
/// leaves the next sync nothing to do.
#[test]
fn a_first_build_indexes_every_note_the_walk_finds_and_reports_its_progress() {
    let root = Root::knowledge();
    let vault = daftar::vault::Vault::open(&root.path).expect("vault");
    let dir = tempfile::tempdir().expect("tempdir");
    let index = daftar::index::Index::open(dir.path(), false).expect("open");
    let mut writer = index.writer().expect("writer");
    let calls = std::cell::RefCell::new(Vec::new());
    let summary = daftar::index::sync::sync(&vault, &index, &mut writer, &|done, total| {
        calls.borrow_mut().push((done, total));
    })
    .expect("build");
    let listed: Vec<String> = vault.scan().into_iter().map(|e| e.id).collect();
    assert_eq!(summary.added, listed.len(), "{summary}");
    assert_eq!((summary.updated, summary.removed, summary.unchanged), (0, 0, 0));
    let calls = calls.into_inner();
    assert_eq!(calls.len(), listed.len());
    for (i, &(done, total)) in calls.iter().enumerate() {
        assert_eq!(done, i + 1);
        assert!(total >= done && total <= listed.len(), "{done} of {total}");
    }
    assert_eq!(calls.last(), Some(&(listed.len(), listed.len())));
    let mut indexed: Vec<String> = daftar::index::sync::indexed(&index).expect("indexed").into_keys().collect();
    indexed.sort();
    assert_eq!(indexed, listed, "every note once");
    assert_eq!(index.searcher().num_docs(), listed.len() as u64);
    // The index has notes now: the next sync plans, and finds nothing to do.
    let again = daftar::index::sync::sync(&vault, &index, &mut writer, &|_, _| {}).expect("sync");
    assert_eq!((again.added, again.unchanged), (0, listed.len()), "{again}");
}

#[test]
fn a_batch_reads_only_its_own_stamps_and_they_match_the_full_map() {
    let root = Root::knowledge();
    let index = root.indexed();
    let all = daftar::index::sync::indexed(&index).expect("indexed");
    let some: Vec<&str> = all.keys().map(String::as_str).step_by(7).chain(["no/such/note.md"]).collect();
    let mine = daftar::index::sync::indexed_of(&index, some.iter().copied()).expect("indexed_of");
    assert_eq!(mine.len(), some.len() - 1, "every indexed id found, the missing one not");
    for (id, got) in &mine {
        let want = &all[id];
        assert_eq!(
            (got.stamp.mtime, got.stamp.size, got.stamp.hash, got.history),
            (want.stamp.mtime, want.stamp.size, want.stamp.hash, want.history),
            "{id}"
        );
    }
}
