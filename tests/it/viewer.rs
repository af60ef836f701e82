//! The web viewer end to end: `tests/browser/viewer.test.mjs` drives headless Chromium (Debian's
//! `chromium`, through playwright-core) against this build's `daftar serve`. Node.js and Chromium
//! are required: without them this test fails and says what to install, rather than passing
//! silently.

use std::path::Path;
use std::process::Command;

fn require_node() {
    let version = Command::new("node").arg("--version").output();
    let version = match version {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        _ => panic!("the viewer's browser tests need Node.js 20 or later: apt-get install -y nodejs npm"),
    };
    let major: u32 = version.trim_start_matches('v').split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
    assert!(major >= 20, "the viewer's browser tests need Node.js 20 or later, found {version}");
}

#[test]
fn the_viewer_in_headless_chromium() {
    let chromium = std::env::var("DAFTAR_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "the viewer's browser tests need Chromium at {chromium}: apt-get install -y chromium (or set DAFTAR_CHROMIUM)"
    );
    require_node();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("browser");
    if !dir.join("node_modules").join("playwright-core").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .status()
            .expect("run npm ci in tests/browser");
        assert!(status.success(), "npm ci in tests/browser failed");
    }
    let out = Command::new("node")
        .args(["--test", "--test-reporter=spec", "viewer.test.mjs"])
        .current_dir(&dir)
        .env("DAFTAR_BIN", env!("CARGO_BIN_EXE_daftar"))
        .env("DAFTAR_CHROMIUM", &chromium)
        .output()
        .expect("run node --test");
    assert!(
        out.status.success(),
        "the browser tests failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
