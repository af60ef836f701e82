//! The test harness: temporary knowledge folders, running the binary, polling with a deadline.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A temporary knowledge root, removed on drop.
pub struct Root {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl Root {
    /// An empty root.
    pub fn empty() -> Root {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("kb");
        std::fs::create_dir_all(&path).expect("mkdir");
        Root { _dir: dir, path }
    }

    /// A copy of the bundled `knowledge/`.
    pub fn knowledge() -> Root {
        let root = Root::empty();
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("knowledge"), &root.path);
        root
    }

    /// Writes a file (creating folders) and returns its path.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, content).expect("write");
        path
    }

    /// The root indexed once, in its own `.daftar/`.
    pub fn indexed(&self) -> daftar::index::Index {
        let index = daftar::index::Index::open(&self.path.join(".daftar"), false).expect("open");
        let vault = daftar::vault::Vault::open(&self.path).expect("vault");
        let mut writer = index.writer().expect("writer");
        daftar::index::sync::sync(&vault, &index, &mut writer, &|_, _| {}).expect("sync");
        index
    }

    /// Runs `daftar COMMAND --root ROOT ARGS...`.
    pub fn daftar(&self, args: &[&str]) -> Output {
        let root = self.path.to_str().expect("utf-8 path");
        let mut all: Vec<&str> = args[..1].to_vec();
        all.extend(["--root", root]);
        all.extend_from_slice(&args[1..]);
        daftar(&all)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name == ".daftar" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Runs the real binary.
pub fn daftar(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_daftar")).args(args).env("RUST_LOG", "warn").output().expect("run daftar")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Polls `f` until it returns `Some` or the deadline passes.
pub fn eventually<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Sends one request through the real router (no socket): status, headers and body.
pub async fn oneshot(
    state: &daftar::server::AppState,
    req: axum::http::request::Builder,
) -> (axum::http::StatusCode, axum::http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let res = daftar::server::router(state.clone())
        .oneshot(req.body(axum::body::Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.expect("body").to_bytes().to_vec();
    (status, headers, body)
}

/// Waits (up to `within`) for the start-up sync of a server started in the test.
pub fn ready(indexer: &daftar::indexer::Indexer, within: Duration) {
    eventually("the start-up sync", within, || {
        indexer.status.ready.load(std::sync::atomic::Ordering::Relaxed).then_some(())
    });
}
