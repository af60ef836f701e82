//! Access control through the real router: every route that reads notes, tried with no token, a
//! wrong token, tokens outside and inside a restricted note's audience, and an admin token. What a
//! reader may not see must not show up anywhere: not in hits, totals, facet counts, snippets,
//! backlinks, related notes, people, programs, stats, reviews, key documents, feeds, reports or
//! files.

use std::collections::BTreeSet;
use std::sync::OnceLock;
use std::time::Duration;

use axum::http::{header, Request, StatusCode};
use serde_json::Value;

use super::harness::Root;
use daftar::access::hash_hex;
use daftar::cli::Location;
use daftar::server::{self, AppState};

struct Fixture {
    _root: Root,
    state: AppState,
}

const TEAM: &str = "team-token-123";
const BOARD: &str = "board-token-456";
const OPS: &str = "ops-token-789";

/// What only the board (and the admin) may see, and what only the admin may see.
const SECRET: &[&str] = &["zzsecretword", "Hidden Person", "zzsecrettag", "zzsecretmeta", "q/sec.md", "Qprogram"];
const BROKEN: &[&str] = &["zzbrokenword", "broken-secret"];
const INTERNAL: &[&str] = &["zzinternalword", "Inside Person", "p/int.md"];

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = Root::empty();
        root.write(
            "p/pub.md",
            "---\ntitle: Public zzshared\nkind: lesson\nprogram: Pprogram\nexperts: [Open Person]\ntags: [open]\n\
             visibility: public\nkey: true\nreview_by: 2020-01-01\ndate: 2026-01-01\n---\n\
             zzshared public words. See [[sec]] and [[int]] and [the board](../q/board.png).\n",
        );
        root.write(
            "p/int.md",
            "---\ntitle: Internal zzshared\nkind: lesson\nprogram: Pprogram\nexperts: [Inside Person]\ntags: [open]\n\
             key: true\nreview_by: 2020-01-02\ndate: 2026-01-02\n---\nzzshared zzinternalword words. See [[pub]].\n",
        );
        root.write(
            "q/sec.md",
            "---\ntitle: Secret zzshared\nkind: decision\nprogram: Qprogram\nexperts: [Hidden Person]\n\
             tags: [zzsecrettag]\nvisibility: restricted\naudience: [Board]\nkey: true\nreview_by: 2020-01-03\n\
             date: 2026-01-03\ncodename: zzsecretmeta\n---\nzzshared restricted zzsecretword words. See [[pub]].\n",
        );
        // Front matter that cannot be read: it may have said restricted, so only the admin sees it.
        root.write(
            "q/broken-secret.md",
            "---\ntitle: [unclosed\nvisibility: restricted\n---\nzzshared zzbrokenword words. See [[pub]].\n",
        );
        root.write("public/logo.png", b"\x89PNG\r\n\x1a\nlogo");
        root.write("q/board.png", b"\x89PNG\r\n\x1a\nboard");
        root.write(
            "daftar.toml",
            format!(
                "watch = false\n[auth]\n\
                 [[auth.tokens]]\nname = \"team\"\nsha256 = \"{}\"\ngroups = [\"team\"]\n\
                 [[auth.tokens]]\nname = \"board\"\nsha256 = \"{}\"\ngroups = [\"board\"]\n\
                 [[auth.tokens]]\nname = \"ops\"\nsha256 = \"{}\"\nadmin = true\n",
                hash_hex(TEAM),
                hash_hex(BOARD),
                hash_hex(OPS)
            ),
        );
        let location = Location { root: Some(root.path.clone()), index: None, config: None };
        let config = daftar::config::load(&location, Some("127.0.0.1:0")).expect("config");
        assert!(config.auth.is_some(), "[auth] is read from the root's daftar.toml");
        let clock = server::Clock::fixed("2026-06-01T00:00:00Z".parse().expect("time"));
        let (state, indexer) = server::start_with_clock(&config, clock).expect("start");
        super::harness::ready(&indexer, Duration::from_secs(60));
        std::mem::forget(indexer);
        Fixture { _root: root, state }
    })
}

/// How a request proves who it is.
#[derive(Debug, Clone, Copy)]
enum As {
    Anonymous,
    Bearer(&'static str),
    Cookie(&'static str),
}

async fn call(uri: &str, who: As) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::get(uri);
    match who {
        As::Anonymous => {}
        As::Bearer(t) => req = req.header(header::AUTHORIZATION, format!("Bearer {t}")),
        As::Cookie(t) => req = req.header(header::COOKIE, format!("theme=dark; daftar_token={t}")),
    }
    let (status, headers, body) = super::harness::oneshot(&fixture().state, req).await;
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

async fn json(uri: &str, who: As) -> Value {
    let (status, _, body) = call(uri, who).await;
    assert_eq!(status, StatusCode::OK, "{uri} as {who:?}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|_| panic!("{uri}: not JSON: {body}"))
}

fn hit_ids(v: &Value) -> BTreeSet<String> {
    v["hits"].as_array().expect("hits").iter().map(|h| h["id"].as_str().expect("id").to_string()).collect()
}

/// Every route that reads notes (or counts them), as a client would call it.
const ROUTES: &[&str] = &[
    "/api/search?q=zzshared",
    "/api/search?q=zzsecretword",
    "/api/search?q=zzbrokenword",
    "/api/search?q=zzinternalword",
    "/api/search",
    "/api/search?q=zzs&prefix=true",
    "/api/search?q=zzshared&program=Qprogram&program=Pprogram",
    "/api/search?q=zzshared&sort=date",
    "/api/search?q=tag:zzsecrettag",
    "/api/search?q=meta.codename:zzsecretmeta",
    "/api/search?q=author:%22Hidden%20Person%22",
    "/api/notes/p/pub.md",
    "/api/notes/p/pub.md/related",
    "/api/notes/p/int.md",
    "/api/notes/p/int.md/related",
    "/api/notes/q/sec.md",
    "/api/notes/q%2Fsec.md",
    "/api/notes/q/sec.md/related",
    "/api/notes/q/broken-secret.md",
    "/api/programs",
    "/api/experts",
    "/api/experts?q=zzshared",
    "/api/problems",
    "/api/stats",
    "/api/review",
    "/api/key",
    "/api/key?program=Qprogram",
    "/api/recent?since=2000-01-01",
    "/api/reports",
    "/api/reports?format=csv",
    "/api/reports?program=Qprogram",
    "/feed.atom",
    "/feed.atom?program=Qprogram",
    "/raw/q/sec.md",
    "/raw/p/int.md",
    "/raw/q/broken-secret.md",
    "/raw/q/board.png",
    "/raw/daftar.toml",
    "/metrics",
];

/// The markers in `body`, apart from those the request itself names (queries and 404s echo them).
fn leaks<'a>(uri: &str, body: &str, markers: &[&'a str]) -> Vec<&'a str> {
    let asked = percent_encoding::percent_decode_str(uri).decode_utf8_lossy().replace("%2F", "/");
    markers.iter().copied().filter(|m| body.contains(m) && !asked.contains(m)).collect()
}

#[tokio::test]
async fn every_route_hides_what_the_reader_may_not_see() {
    // (who, may see internal, may see the restricted note, admin)
    let readers = [
        (As::Anonymous, false, false, false),
        (As::Bearer(TEAM), true, false, false),
        (As::Cookie(TEAM), true, false, false),
        (As::Bearer(BOARD), true, true, false),
        (As::Cookie(BOARD), true, true, false),
        (As::Bearer(OPS), true, true, true),
    ];
    for (who, internal, restricted, admin) in readers {
        for uri in ROUTES {
            let (status, _, body) = call(uri, who).await;
            assert!(!status.is_server_error(), "{uri} as {who:?}: {status} {body}");
            assert!(!body.contains("sha256") && !body.contains(&hash_hex(TEAM)), "{uri} as {who:?} shows the config");
            if !restricted {
                assert_eq!(
                    leaks(uri, &body, SECRET),
                    Vec::<&str>::new(),
                    "{uri} as {who:?} reveals the restricted note"
                );
            }
            if !internal {
                assert_eq!(
                    leaks(uri, &body, INTERNAL),
                    Vec::<&str>::new(),
                    "{uri} as {who:?} reveals the internal note"
                );
            }
            if !admin {
                assert_eq!(
                    leaks(uri, &body, BROKEN),
                    Vec::<&str>::new(),
                    "{uri} as {who:?} reveals the unreadable note"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_report_kept_for_one_reader_is_not_shown_to_another() {
    // The admin's report first, then the same report for readers who may see less: each gets its own.
    let (_, _, admin) = call("/api/reports?format=csv", As::Bearer(OPS)).await;
    assert!(admin.contains("Qprogram"), "{admin}");
    for who in [As::Anonymous, As::Bearer(TEAM)] {
        let (status, _, body) = call("/api/reports?format=csv", who).await;
        assert!(status.is_success(), "{who:?}: {status}");
        assert_eq!(leaks("/api/reports", &body, SECRET), Vec::<&str>::new(), "{who:?} got the admin's report");
    }
}

#[tokio::test]
async fn hits_totals_and_facets_count_only_visible_notes() {
    let cases = [
        (As::Anonymous, vec!["p/pub.md"]),
        (As::Bearer(TEAM), vec!["p/int.md", "p/pub.md"]),
        (As::Bearer(BOARD), vec!["p/int.md", "p/pub.md", "q/sec.md"]),
        (As::Bearer(OPS), vec!["p/int.md", "p/pub.md", "q/broken-secret.md", "q/sec.md"]),
    ];
    for (who, want) in cases {
        let want: BTreeSet<String> = want.into_iter().map(String::from).collect();
        let res = json("/api/search?q=zzshared", who).await;
        assert_eq!(hit_ids(&res), want, "{who:?}");
        assert_eq!(res["total"], want.len(), "{who:?}");
        let kinds: u64 = res["facets"]["kind"]
            .as_array()
            .expect("kind facet")
            .iter()
            .map(|v| v["count"].as_u64().unwrap_or(0))
            .sum();
        assert_eq!(kinds as usize, want.len(), "{who:?}: kind facet counts {}", res["facets"]["kind"]);
        // The program filter is disjunctive: its own facet still counts only visible notes.
        let filtered = json("/api/search?q=zzshared&program=Pprogram", who).await;
        let programs: Vec<&str> = filtered["facets"]["program"]
            .as_array()
            .expect("program facet")
            .iter()
            .filter_map(|v| v["value"].as_str())
            .collect();
        assert_eq!(programs.contains(&"Qprogram"), want.contains("q/sec.md"), "{who:?}: {programs:?}");
        let stats = json("/api/stats", who).await;
        assert_eq!(stats["notes"], want.len(), "{who:?}: {stats}");
    }
}

#[tokio::test]
async fn a_wrong_token_is_refused_everywhere_and_no_token_is_anonymous() {
    for uri in ROUTES.iter().chain(&["/api/me"]) {
        for who in [As::Bearer("wrong-token"), As::Cookie("wrong-token")] {
            let (status, headers, body) = call(uri, who).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{uri} as {who:?}: {body}");
            assert!(headers.get(header::WWW_AUTHENTICATE).is_some(), "{uri}: no WWW-Authenticate");
            assert!(body.contains("\"unauthorized\""), "{uri}: {body}");
        }
    }
    let (status, _, _) = call("/api/search?q=x", As::Bearer("")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "an empty bearer token");
    let me = json("/api/me", As::Anonymous).await;
    assert_eq!(me, serde_json::json!({"access_control": true, "name": null, "groups": [], "sees_all": false}));
    let me = json("/api/me", As::Cookie(BOARD)).await;
    assert_eq!(me["name"], "board");
    assert_eq!(me["groups"], serde_json::json!(["board"]));
    assert_eq!(json("/api/me", As::Bearer(OPS)).await["sees_all"], true);
    // Health stays open: load balancers probe without tokens.
    assert_eq!(call("/healthz", As::Anonymous).await.0, StatusCode::OK);
    assert_eq!(call("/readyz", As::Anonymous).await.0, StatusCode::OK);
}

#[tokio::test]
async fn hidden_notes_and_files_answer_404_like_missing_ones() {
    for who in [As::Anonymous, As::Bearer(TEAM)] {
        for uri in ["/api/notes/q/sec.md", "/api/notes/q/sec.md/related", "/raw/q/sec.md"] {
            assert_eq!(call(uri, who).await.0, StatusCode::NOT_FOUND, "{uri} as {who:?}");
        }
    }
    for uri in ["/api/notes/p/int.md", "/raw/p/int.md", "/raw/q/board.png"] {
        assert_eq!(call(uri, As::Anonymous).await.0, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(call(uri, As::Bearer(TEAM)).await.0, StatusCode::OK, "{uri}");
    }
    // A file in a `public/` folder is public.
    assert_eq!(call("/raw/public/logo.png", As::Anonymous).await.0, StatusCode::OK);
    // Answers depend on the reader: no shared cache keeps them, browsers revalidate.
    for uri in ["/raw/p/int.md", "/api/search?q=zzshared"] {
        let (_, headers, _) = call(uri, As::Bearer(TEAM)).await;
        assert_eq!(
            headers.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap_or("")),
            Some("private, no-cache"),
            "{uri}"
        );
        assert!(headers.get(header::VARY).is_some_and(|v| v.to_str().unwrap_or("").contains("Cookie")), "{uri}");
    }
    let (status, _, body) = call("/raw/q/sec.md", As::Cookie(BOARD)).await;
    assert!(status == StatusCode::OK && body.contains("zzsecretword"), "the board reads its note: {status}");
    let note = json("/api/notes/q/sec.md", As::Bearer(BOARD)).await;
    assert_eq!(note["id"], "q/sec.md");
    let backlinks: Vec<&str> =
        note["backlinks"].as_array().expect("backlinks").iter().filter_map(|b| b["id"].as_str()).collect();
    assert_eq!(backlinks, ["p/pub.md"], "the board sees who links to its note");
    // pub.md links to sec: resolved for the board, a plain unresolved link for the team.
    let link_to_sec = |v: &Value| {
        v["links"].as_array().expect("links").iter().find(|l| l["target"] == "sec").map(|l| l["id"].clone())
    };
    assert_eq!(link_to_sec(&json("/api/notes/p/pub.md", As::Bearer(BOARD)).await), Some(Value::from("q/sec.md")));
    assert_eq!(link_to_sec(&json("/api/notes/p/pub.md", As::Bearer(TEAM)).await), Some(Value::Null));
    let pub_backlinks = json("/api/notes/p/pub.md", As::Bearer(TEAM)).await;
    let ids: Vec<&str> =
        pub_backlinks["backlinks"].as_array().expect("backlinks").iter().filter_map(|b| b["id"].as_str()).collect();
    assert_eq!(ids, ["p/int.md"], "the team sees the internal note's link, not the restricted one's");
}

#[tokio::test]
async fn operational_detail_needs_an_admin_token() {
    assert_eq!(call("/metrics", As::Anonymous).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(call("/metrics", As::Bearer(BOARD)).await.0, StatusCode::FORBIDDEN);
    let (status, _, body) = call("/metrics", As::Bearer(OPS)).await;
    assert!(status == StatusCode::OK && body.contains("daftar_"), "{status}");
    let team = json("/api/stats", As::Bearer(TEAM)).await;
    assert!(team["last_sync"].is_null() && team["index_bytes"].is_null(), "{team}");
    let ops = json("/api/stats", As::Bearer(OPS)).await;
    assert!(ops["last_sync"].is_object() && ops["index_bytes"].as_u64().unwrap_or(0) > 0, "{ops}");
}

#[test]
fn daftar_token_prints_a_token_and_the_entry_that_admits_it() {
    let out = super::harness::daftar(&["token", "هیئت \"مدیره\"", "--group", "board", "--group", "هیئت مدیره"]);
    assert!(out.status.success(), "{}", super::harness::stderr(&out));
    let text = super::harness::stdout(&out);
    let token = text.lines().find_map(|l| l.strip_prefix("token: ")).expect("a token line").to_string();
    let entry = &text[text.find("[[auth.tokens]]").expect("the entry")..];
    let root = Root::empty();
    root.write("daftar.toml", format!("[auth]\n{entry}"));
    let location = Location { root: Some(root.path.clone()), index: None, config: None };
    let config = daftar::config::load(&location, None).expect("the printed entry is valid config");
    let reader = config.auth.expect("auth").authenticate(Some(&token)).expect("the printed token is admitted");
    assert_eq!(reader.name.as_deref(), Some("هیئت \"مدیره\""));
    assert!(reader.may_read_note(Some("restricted"), &["هيئت مديره".to_string()], "a.md"));
    assert!(!reader.sees_all() && !text.contains("admin"));
}
