//! The HTTP API through the real router (`oneshot`) and once through a real TCP listener, against a
//! temporary copy of the knowledge base plus hostile and broken notes.

use std::sync::OnceLock;
use std::time::Duration;

use axum::http::{header, Request, StatusCode};
use serde_json::Value;

use super::harness::{eventually, Root};
use daftar::config::Config;
use daftar::server::{self, AppState};

/// One server state shared by the read-only tests (start-up sync done once).
struct Fixture {
    _root: Root,
    state: AppState,
}

fn config(root: &Root) -> Config {
    Config {
        root: root.path.clone(),
        index: root.path.join(".daftar"),
        addr: "127.0.0.1:0".parse().expect("addr"),
        config_file: None,
        watch: false,
        poll: false,
        ..Config::for_root(&root.path)
    }
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let root = Root::knowledge();
        root.write(
            "zz-hostile/hostile.md",
            concat!(
                "---\ntitle: Hostile note\nkind: reference\n---\n",
                "<script>alert('x')</script>\n\n<img src=x onerror=\"alert(1)\">\n\n",
                "[click me](javascript:alert(1))\n\n<iframe src=\"https://example.org\"></iframe>\n\n",
                "<svg onload=\"alert(1)\"><circle r=\"4\"/></svg>\n\n<a href=\"#\" onclick=\"alert(1)\">x</a>\n\nhostile words\n"
            ),
        );
        root.write("zz-hostile/broken.md", "---\ntitle: Broken note\ndate: 2026-13-45\n---\n\nSee [[nowhere-at-all]].\n");
        root.write(".git/config", "[core]\n");
        root.write("daftar.toml", "");
        root.write(".secret.md", "# hidden\n");
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().expect("tempdir").keep();
            std::fs::write(outside.join("passwd"), "root:x:0:0").expect("write");
            std::os::unix::fs::symlink(outside.join("passwd"), root.path.join("escape.txt")).expect("symlink");
        }
        let (state, indexer) = server::start(&config(&root)).expect("start");
        super::harness::ready(&indexer, Duration::from_secs(60));
        // The writer thread lives as long as the test process.
        std::mem::forget(indexer);
        Fixture { _root: root, state }
    })
}

async fn call(uri: &str, headers: &[(&str, &str)]) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::get(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    super::harness::oneshot(&fixture().state, req).await
}

async fn json(uri: &str) -> (StatusCode, Value) {
    let (status, _, body) = call(uri, &[]).await;
    let value =
        serde_json::from_slice(&body).unwrap_or_else(|_| panic!("{uri}: not JSON: {}", String::from_utf8_lossy(&body)));
    (status, value)
}

fn ids(v: &Value) -> Vec<&str> {
    v["hits"].as_array().expect("hits").iter().map(|h| h["id"].as_str().expect("id")).collect()
}

#[tokio::test]
async fn search_answers_the_contract_shape() {
    let (status, v) = json("/api/search?q=vendor+onboarding").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["query"], "vendor onboarding");
    assert!(v["total"].as_u64().expect("total") >= 3);
    assert!(v["took_ms"].is_number());
    assert_eq!(ids(&v)[0], "digital-transformation/erp-rollout/lessons/vendor-onboarding.md");
    for facet in ["program", "project", "expert", "kind", "tag", "status"] {
        assert!(v["facets"][facet].is_array(), "facet {facet} missing");
    }
    for hit in v["hits"].as_array().expect("hits") {
        let snippet = hit["snippet"].as_str().expect("snippet");
        let stripped = snippet.replace("<mark>", "").replace("</mark>", "");
        assert!(!stripped.contains('<') && !stripped.contains('>'), "only <mark> tags allowed: {snippet}");
    }
}

#[tokio::test]
async fn facets_are_disjunctive_and_filters_or_within_a_field() {
    let (_, all) = json("/api/search?q=").await;
    let programs = all["facets"]["program"].as_array().expect("programs").clone();
    assert!(programs.len() >= 3);
    let a = programs[0]["value"].as_str().expect("a");
    let b = programs[1]["value"].as_str().expect("b");
    let count = |v: &Value, name: &str| -> u64 {
        v["facets"]["program"]
            .as_array()
            .expect("p")
            .iter()
            .find(|p| p["value"] == name)
            .map_or(0, |p| p["count"].as_u64().expect("n"))
    };
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let (_, one) = json(&format!("/api/search?program={}", enc(a))).await;
    assert_eq!(one["total"].as_u64(), Some(count(&all, a)));
    // The program facet still offers the other programs with their full counts.
    assert_eq!(count(&one, b), count(&all, b));
    let (_, both) = json(&format!("/api/search?program={}&program={}", enc(a), enc(b))).await;
    assert_eq!(both["total"].as_u64(), Some(count(&all, a) + count(&all, b)));
    // Another field's facet does narrow.
    let kinds_all: u64 =
        all["facets"]["kind"].as_array().expect("k").iter().map(|k| k["count"].as_u64().expect("n")).sum();
    let kinds_one: u64 =
        one["facets"]["kind"].as_array().expect("k").iter().map(|k| k["count"].as_u64().expect("n")).sum();
    assert!(kinds_one < kinds_all);
}

#[tokio::test]
async fn sort_by_date_is_newest_first() {
    let (_, v) = json("/api/search?q=&sort=date&limit=50").await;
    let dates: Vec<&str> = v["hits"].as_array().expect("hits").iter().filter_map(|h| h["date"].as_str()).collect();
    assert!(dates.len() > 10);
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

#[tokio::test]
async fn client_mistakes_are_4xx_with_the_error_shape() {
    let long = "a".repeat(1001);
    let cases = [
        "/api/search?q=%22unbalanced".to_string(),
        "/api/search?q=(a+b".to_string(),
        "/api/search?q=program:".to_string(),
        "/api/search?q=colour:red".to_string(),
        "/api/search?q=x&from=2026-13-45".to_string(),
        "/api/search?q=x&to=yesterday".to_string(),
        "/api/search?q=x&limit=101".to_string(),
        "/api/search?q=x&limit=-1".to_string(),
        "/api/search?q=x&offset=10001".to_string(),
        "/api/search?q=x&sort=random".to_string(),
        "/api/search?q=x&key=perhaps".to_string(),
        "/api/search?q=%zz".to_string(),
        "/api/search?q=%C3%28".to_string(),
        format!("/api/search?q={long}"),
        "/api/notes/no/such/note.md".to_string(),
        "/api/notes/..%2F..%2Fetc%2Fpasswd".to_string(),
        "/api/nothing-here".to_string(),
    ];
    for uri in cases {
        let (status, v) = json(&uri).await;
        assert!(status.is_client_error(), "{uri}: {status}");
        assert!(v["error"]["code"].is_string() && v["error"]["message"].is_string(), "{uri}: {v}");
    }
}

#[tokio::test]
async fn a_note_is_rendered_safely_with_backlinks() {
    let (status, v) = json("/api/notes/digital-transformation/erp-rollout/lessons/vendor-onboarding.md").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["title"], "Vendor onboarding took three months longer than planned");
    assert!(v["markdown"].as_str().expect("md").starts_with("---"));
    assert!(v["html"].as_str().expect("html").contains("<h2"));
    assert!(!v["backlinks"].as_array().expect("backlinks").is_empty(), "{}", v["backlinks"]);
    assert!(v["headings"].as_array().expect("headings").iter().all(|h| h["anchor"].is_string()));

    let (status, hostile) = json("/api/notes/zz-hostile%2Fhostile.md").await;
    assert_eq!(status, StatusCode::OK, "an encoded slash is accepted");
    let html = hostile["html"].as_str().expect("html").to_lowercase();
    for bad in ["<script", "onerror", "javascript:", "<iframe", "onload", "onclick", "<svg"] {
        assert!(!html.contains(bad), "{bad} survived: {html}");
    }

    let (_, broken) = json("/api/notes/zz-hostile/broken.md").await;
    let problems: Vec<&str> =
        broken["problems"].as_array().expect("problems").iter().map(|p| p["message"].as_str().expect("m")).collect();
    assert!(problems.iter().any(|p| p.starts_with("date:")), "{problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("broken link")), "{problems:?}");
}

#[tokio::test]
async fn persian_ids_percent_encoded() {
    let (_, v) = json("/api/search?q=%D8%B1%DB%8C%D8%B3%DA%A9%E2%80%8C%D9%86%D8%A7%D9%85%D9%87").await;
    let id = ids(&v)[0].to_string();
    let encoded: String = id
        .split('/')
        .map(|s| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>())
        .collect::<Vec<_>>()
        .join("/");
    let (status, note) = json(&format!("/api/notes/{encoded}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(note["id"], id.as_str());
}

#[tokio::test]
async fn raw_serves_files_with_type_etag_and_ranges() {
    let pdf = "/raw/digital-transformation/erp-rollout/attachments/erp-cutover-checklist.pdf";
    let (status, headers, body) = call(pdf, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert!(body.starts_with(b"%PDF"));
    let etag = headers[header::ETAG].to_str().expect("etag").to_string();
    let (status, _, _) = call(pdf, &[("if-none-match", &etag)]).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    let (status, headers, body) = call(pdf, &[("range", "bytes=0-3")]).await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(body, b"%PDF");
    assert!(headers[header::CONTENT_RANGE].to_str().expect("range").starts_with("bytes 0-3/"));
}

#[tokio::test]
async fn raw_refuses_every_escape() {
    let long = "a/".repeat(700);
    let cases = [
        "/raw/..%2F..%2Fetc%2Fpasswd".to_string(),
        "/raw/pmo/%2e%2e/%2e%2e/etc/passwd".to_string(),
        "/raw/pmo/%252e%252e/x".to_string(),
        "/raw//etc/passwd".to_string(),
        "/raw/pmo%5C..%5Cx".to_string(),
        "/raw/pmo/a%00b.md".to_string(),
        format!("/raw/{long}"),
        "/raw/.git/config".to_string(),
        "/raw/.daftar/versions.json".to_string(),
        "/raw/.secret.md".to_string(),
        "/raw/daftar.toml".to_string(),
        "/raw/escape.txt".to_string(),
        "/raw/no/such/file.pdf".to_string(),
    ];
    for uri in cases {
        let (status, _, body) = call(&uri, &[]).await;
        assert!(status.is_client_error(), "{uri}: {status}");
        let v: Value = serde_json::from_slice(&body).unwrap_or_else(|_| panic!("{uri}: not JSON"));
        assert!(v["error"]["code"].is_string(), "{uri}");
        assert!(!String::from_utf8_lossy(&body).contains("root:x"), "{uri} leaked");
    }
}

#[tokio::test]
async fn browse_routes() {
    let (_, programs) = json("/api/programs").await;
    let portfolios = programs["portfolios"].as_array().expect("portfolios");
    assert!(portfolios.iter().any(|p| p["name"] == "Operations"));
    let ops = portfolios.iter().find(|p| p["name"] == "Operations").expect("ops");
    let dt = ops["children"]
        .as_array()
        .expect("programs")
        .iter()
        .find(|p| p["name"] == "Digital Transformation")
        .expect("dt");
    assert!(dt["children"].as_array().expect("projects").iter().any(|p| p["name"] == "ERP Rollout"));

    let (_, experts) = json("/api/experts").await;
    let list = experts["experts"].as_array().expect("experts");
    assert!(list.len() >= 10);
    assert!(list[0]["notes"].as_u64().expect("n") >= list[1]["notes"].as_u64().expect("n"));
    assert!(list[0]["programs"].is_array() && list[0]["top_tags"].is_array());

    let (_, problems) = json("/api/problems").await;
    let notes = problems["notes"].as_array().expect("notes");
    let broken = notes.iter().find(|n| n["id"] == "zz-hostile/broken.md").expect("broken note listed");
    let messages: Vec<&str> =
        broken["problems"].as_array().expect("p").iter().map(|p| p["message"].as_str().expect("m")).collect();
    assert!(messages.iter().any(|m| m.contains("nowhere-at-all")), "{messages:?}");
    assert!(notes.iter().all(|n| n["id"] != "zz-hostile/hostile.md"));

    let (_, stats) = json("/api/stats").await;
    assert_eq!(stats["notes"].as_u64(), Some(58), "55 notes, the PDF attachment and the two test notes");
    assert!(stats["index_bytes"].as_u64().expect("bytes") > 0);
    assert_eq!(stats["ready"], true);
    assert!(stats["last_sync"]["at"].is_string());

    let (_, review) = json("/api/review").await;
    assert!(review["total"].as_u64().expect("total") >= 5);
}

#[tokio::test]
async fn operations_routes() {
    assert_eq!(call("/healthz", &[]).await.0, StatusCode::OK);
    assert_eq!(call("/readyz", &[]).await.0, StatusCode::OK);
    let _ = call("/api/search?q=risk", &[]).await;
    let (status, headers, body) = call("/metrics", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().expect("type").starts_with("text/plain"));
    let text = String::from_utf8(body).expect("utf-8");
    assert!(text.contains("daftar_http_requests_total{route=\"/api/search\",status=\"200\"}"), "{text}");
    assert!(text.contains("daftar_http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains("daftar_notes_indexed 58"), "{text}");
    for page in ["/", "/notes/pmo/x.md", "/reports", "/?q=risk"] {
        let (status, headers, _) = call(page, &[]).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(headers[header::CONTENT_TYPE].to_str().expect("type").starts_with("text/html"), "{page}");
    }
    let (_, headers, _) = call("/api/search?q=risk", &[("accept-encoding", "gzip")]).await;
    assert_eq!(headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().expect("enc")), Some("gzip"));
}

#[tokio::test]
async fn openapi_is_generated_and_kept_in_schemas() {
    let (status, _, body) = call("/api/openapi.json", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let live = String::from_utf8(body).expect("utf-8");
    let doc: Value = serde_json::from_str(&live).expect("json");
    for path in ["/api/search", "/api/notes/{id}", "/api/programs", "/api/experts", "/api/problems", "/api/stats"] {
        assert!(doc["paths"][path].is_object(), "{path} undocumented");
    }
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/openapi.json");
    if std::env::var_os("DAFTAR_BLESS").is_some() {
        std::fs::write(&file, &live).expect("write schemas/openapi.json");
    }
    let kept = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(kept == live, "schemas/openapi.json is stale: run `DAFTAR_BLESS=1 cargo test openapi` and commit it");
}

#[test]
fn a_real_listener_and_client() {
    let root = Root::knowledge();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (state, indexer) = server::start(&config(&root)).expect("start");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = runtime.spawn(async move {
        listener.set_nonblocking(true).expect("nonblocking");
        let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
        let stop = async {
            let _ = stopped.await;
        };
        server::serve(listener, server::router(state), stop, Duration::from_millis(300)).await;
    });
    let base = format!("http://{addr}");
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    eventually("ready", Duration::from_secs(60), || {
        agent.get(&format!("{base}/readyz")).call().ok().filter(|r| r.status() == 200).map(|_| ())
    });
    let mut res = agent.get(&format!("{base}/api/search?q=%D8%B1%DB%8C%D8%B3%DA%A9")).call().expect("search");
    assert_eq!(res.status(), 200);
    let v: Value = serde_json::from_str(&res.body_mut().read_to_string().expect("body")).expect("json");
    assert!(v["total"].as_u64().expect("total") > 0, "ریسک finds notes");
    let res = agent.get(&format!("{base}/raw/..%2Fetc%2Fpasswd")).call().expect("raw");
    assert_eq!(res.status(), 400);

    // A client that never finishes its headers is disconnected, and holds no one else up.
    use std::io::{Read, Write};
    let mut slow = std::net::TcpStream::connect(addr).expect("connect");
    slow.write_all(b"GET /api/stats HTTP/1.1\r\nHost: x\r\nX-Slow: ").expect("write");
    assert_eq!(agent.get(&format!("{base}/healthz")).call().expect("healthz").status(), 200);
    slow.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let mut answer = Vec::new();
    let closed = slow.read_to_end(&mut answer);
    assert!(closed.is_ok(), "the slow connection was left open: {closed:?}");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 408"), "{answer}");
    let _ = stop.send(());
    runtime.block_on(server).expect("server task");
    indexer.stop();
}
