//! Arbitrary text as a client-supplied path: vetting never panics, and whatever `resolve` returns
//! on a prepared root is a file inside the root, not under a dotted folder, not the config file.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use daftar::vault::path::{resolve, vet};
use libfuzzer_sys::fuzz_target;

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

/// A root with notes, hidden places, the config file and symlinks in and out, beside a folder
/// the root must never reach.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = std::fs::canonicalize(dir.path()).expect("canonical");
        let root = base.join("kb");
        let outside = base.join("outside");
        let write = |p: &Path| {
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, "x").expect("write");
        };
        for rel in [
            "a.md",
            "sub/b.md",
            "طرح/یادداشت.md",
            ".git/config",
            ".daftar/meta.json",
            ".env",
            "sub/.hidden/c.md",
            "daftar.toml",
        ] {
            write(&root.join(rel));
        }
        write(&outside.join("secret.md"));
        let link = |target: &Path, rel: &str| std::os::unix::fs::symlink(target, root.join(rel)).expect("symlink");
        link(&outside.join("secret.md"), "out.md");
        link(&outside, "out-dir");
        link(&root.join("sub/b.md"), "in.md");
        link(&root.join(".git/config"), "git.md");
        link(&root.join("daftar.toml"), "config.md");
        link(&root.join("sub"), "sub-link");
        Fixture { _dir: dir, root }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(id) = std::str::from_utf8(data) else { return };
    let f = fixture();
    let vetted = vet(id);
    if vetted.is_ok() {
        assert!(!id.is_empty() && !id.starts_with('/') && !id.contains('\0') && !id.contains('\\'));
        assert!(!id.split('/').any(|s| s == ".." || s.starts_with('.')), "vet let {id:?} through");
    }
    let resolved = resolve(&f.root, id);
    if let Ok(path) = resolved {
        assert!(vetted.is_ok(), "resolve accepted {id:?} that vet refuses");
        let rel = path.strip_prefix(&f.root).unwrap_or_else(|_| panic!("{id:?} resolved outside: {path:?}"));
        assert!(
            !rel.components().any(|c| c.as_os_str().to_string_lossy().starts_with('.')),
            "{id:?} resolved to a hidden file: {path:?}"
        );
        assert!(rel != Path::new("daftar.toml"), "{id:?} resolved to the config file");
        assert!(path.is_file(), "{id:?} resolved to a non-file: {path:?}");
    }
});
