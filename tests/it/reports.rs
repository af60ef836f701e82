//! Attachments as knowledge and the PMIS report: words inside PDF and DOCX files are found,
//! unreadable ones are problems while everything else is indexed, and the report's figures match
//! a fixture with known counts, as JSON, CSV (parsed back) and on the command line.

use std::io::Write;

use super::harness::{stdout, Root};
use daftar::index::report;
use daftar::index::search::{self, Request};

/// A one-page PDF whose text layer holds `text`.
fn pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 12 Tf 72 720 Td ({text}) Tj ET");
    let objs = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objs.len() + 1).as_bytes(),
    );
    out
}

/// A minimal DOCX with one paragraph.
fn docx(text: &str) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut z = zip::ZipWriter::new(&mut buf);
    z.start_file("word/document.xml", zip::write::SimpleFileOptions::default()).expect("zip");
    z.write_all(
        format!("<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>")
            .as_bytes(),
    )
    .expect("zip");
    z.finish().expect("zip");
    buf.into_inner()
}

fn hits(index: &daftar::index::Index, q: &str) -> Vec<(String, String)> {
    let req = Request { q: q.into(), facets: false, ..Default::default() };
    search::search(index, &req).expect("search").hits.into_iter().map(|h| (h.card.id, h.card.kind)).collect()
}

#[test]
fn words_inside_attachments_are_found_and_broken_ones_are_problems() {
    let root = Root::empty();
    root.write("ops/erp/plan.pdf", pdf("Budget baseline zzpdfword approved"));
    root.write("ops/erp/minutes.docx", docx("Steering minutes zzdocxword recorded"));
    root.write("ops/erp/broken.pdf", b"%PDF-1.4\nthis is not really a pdf".as_slice());
    root.write("ops/erp/broken.docx", b"not a zip at all".as_slice());
    root.write("ops/erp/note.md", "# Plan note\n\nSee [the plan](plan.pdf) and [minutes](minutes.docx).\n");
    let index = root.indexed();
    assert_eq!(hits(&index, "zzpdfword"), [("ops/erp/plan.pdf".to_string(), "attachment".to_string())]);
    assert_eq!(hits(&index, "zzdocxword"), [("ops/erp/minutes.docx".to_string(), "attachment".to_string())]);
    let everything = daftar::index::browse::visible(index.fields(), &daftar::access::Reader::everyone());
    let card =
        daftar::index::browse::get(&index, "ops/erp/plan.pdf", everything.as_ref()).expect("get").expect("indexed");
    assert_eq!((card.program.as_deref(), card.project.as_deref()), (Some("ops"), Some("erp")));
    assert_eq!(card.title, "plan.pdf");

    let problems = daftar::index::browse::problems(&index, &root.path, everything.as_ref()).expect("problems");
    let ids: Vec<&str> = problems.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["ops/erp/broken.docx", "ops/erp/broken.pdf"], "{problems:?}");
    assert!(problems[0].problems[0].message.contains("not a zip"));
    assert!(problems[1].problems[0].message.contains("PDF"));
    // The note linking them has no broken link: attachments are documents it resolves to.
    assert!(!ids.contains(&"ops/erp/note.md"));

    let check = root.daftar(&["check"]);
    assert_eq!(check.status.code(), Some(1));
    let out = stdout(&check);
    assert!(out.contains("broken.pdf:1:") && out.contains("broken.docx:1:"), "{out}");
}

#[test]
fn report_figures_match_a_fixture() {
    let root = Root::empty();
    let note = |kind: &str, project: &str, status: &str, review: &str, experts: &str| {
        format!("---\ntitle: {kind} in {project}\nkind: {kind}\nprogram: Grid\nproject: {project}\nstatus: {status}\nreview_by: {review}\nexperts: [{experts}]\n---\nbody\n")
    };
    root.write("grid/a/l1.md", note("lesson", "Alpha", "approved", "2020-01-01", "Sara"));
    root.write("grid/a/d1.md", note("decision", "Alpha", "approved", "2099-01-01", "Sara, Reza"));
    root.write("grid/b/r1.md", note("risk", "Beta", "draft", "2099-01-01", "Reza"));
    root.write("grid/b/r2.md", note("risk", "Beta", "draft", "2019-05-05", "Reza"));
    root.write("other/x.md", "---\ntitle: Elsewhere\nprogram: Other\nkind: lesson\n---\nSee [[l1]].\n");
    let index = root.indexed();
    let scope = report::Scope { program: Some("Grid".into()), ..Default::default() };
    let now = chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").expect("now").with_timezone(&chrono::Utc);
    let everything = daftar::index::browse::visible(index.fields(), &daftar::access::Reader::everyone());
    let rep = report::build(&index, &root.path, None, &scope, (None, None), now, everything.as_ref()).expect("report");
    assert_eq!(rep.totals.notes, 4);
    assert_eq!(rep.totals.by_kind.get("risk"), Some(&2));
    assert_eq!(rep.totals.by_status.get("draft"), Some(&2));
    assert_eq!(rep.programs.len(), 1);
    let grid = &rep.programs[0];
    assert_eq!(grid.projects.len(), 2);
    assert_eq!(grid.missing_kinds, ["report"]);
    assert_eq!(grid.projects_without_lessons, ["Beta"]);
    assert_eq!((rep.review.overdue, rep.review.ok, rep.review.unscheduled), (2, 2, 0));
    assert_eq!(rep.review.overdue_notes[0].id, "grid/b/r2.md", "longest overdue first");
    let reza = rep.contributions.iter().find(|c| c.person == "Reza").expect("Reza");
    assert_eq!(reza.notes_as_expert, 3);
    // l1 is linked from outside the program; the other three are orphans.
    assert_eq!(rep.links.orphans.len(), 3);
    assert_eq!(rep.links.orphans_total, 3);
    assert_eq!(rep.growth.iter().map(|m| m.added).sum::<usize>(), 4, "file times stand in without git");

    let csv = rep.to_csv();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("csv row")).collect();
    let value = |table: &str, item: &str| {
        rows.iter().find(|r| &r[0] == table && &r[3] == item).map(|r| r[4].to_string()).expect("row")
    };
    assert_eq!(value("kind", "risk"), "2");
    assert_eq!(value("review", "overdue"), "2");
    assert_eq!(value("missing_kind", "report"), "0");
    let md = rep.to_markdown();
    assert!(md.contains("| **Grid** | | 4 |"), "{md}");

    let json = root.daftar(&["report", "--program", "Grid", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("report --format json");
    assert_eq!(v["totals"]["notes"], 4);
    let md = stdout(&root.daftar(&["report", "--program", "Grid"]));
    assert!(md.starts_with("# Knowledge report: Grid") && md.contains("|---|"), "{md}");
}

#[test]
fn an_attachment_belongs_where_the_notes_linking_to_it_belong() {
    let root = Root::empty();
    root.write("digital-transformation/erp/attachments/plan.pdf", pdf("Budget baseline zzplacedword"));
    let note = "---\ntitle: Plan\nportfolio: Operations\nprogram: Digital Transformation\nproject: ERP Rollout\n---\n";
    root.write("digital-transformation/erp/plan.md", format!("{note}See [the plan](attachments/plan.pdf).\n"));
    let index = root.indexed();
    let everything = daftar::index::browse::visible(index.fields(), &daftar::access::Reader::everyone());
    let place = |index: &daftar::index::Index| {
        let card =
            daftar::index::browse::get(index, "digital-transformation/erp/attachments/plan.pdf", everything.as_ref())
                .expect("get")
                .expect("indexed");
        (card.portfolio, card.program, card.project)
    };
    let named =
        (Some("Operations".to_string()), Some("Digital Transformation".to_string()), Some("ERP Rollout".to_string()));
    assert_eq!(place(&index), named, "from the note that links to it, not its folders");
    assert_eq!(hits(&index, "zzplacedword").len(), 1, "indexed once");
    drop(index);
    // The link goes away: the folders place it again.
    root.write("digital-transformation/erp/plan.md", format!("{note}No links now.\n"));
    let index = root.indexed();
    let folders = (None, Some("digital-transformation".to_string()), Some("erp".to_string()));
    assert_eq!(place(&index), folders);
    drop(index);
    // Only the notes a sync touches re-place attachments: a new note linking to it…
    let grid = "---\ntitle: Grid plan\nportfolio: Energy\nprogram: Grid Reinforcement\nproject: Substations\n---\n";
    root.write(
        "grid/substations/grid-plan.md",
        format!("{grid}Read [the plan](../../digital-transformation/erp/attachments/plan.pdf).\n"),
    );
    let index = root.indexed();
    let grid_place =
        (Some("Energy".to_string()), Some("Grid Reinforcement".to_string()), Some("Substations".to_string()));
    assert_eq!(place(&index), grid_place, "placed by a new note's link");
    drop(index);
    // …a change of that note's program with its link as it was…
    root.write(
        "grid/substations/grid-plan.md",
        format!(
            "{}Read [the plan](../../digital-transformation/erp/attachments/plan.pdf).\n",
            grid.replace("Grid Reinforcement", "Grid Renewal")
        ),
    );
    let index = root.indexed();
    assert_eq!(place(&index).1.as_deref(), Some("Grid Renewal"), "follows the linking note's program");
    drop(index);
    // …while a note that does not link to it leaves it where it is…
    root.write("digital-transformation/erp/other.md", format!("{note}Unrelated.\n"));
    let index = root.indexed();
    assert_eq!(place(&index).1.as_deref(), Some("Grid Renewal"));
    drop(index);
    // …and the linking note's removal (its links read from the index) gives it back to its folders.
    std::fs::remove_file(root.path.join("grid/substations/grid-plan.md")).expect("remove");
    let index = root.indexed();
    assert_eq!(place(&index), folders, "placed again once the only note linking to it is gone");
}
