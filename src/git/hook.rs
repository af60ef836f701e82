//! Writing through git: `daftar check --install-hook` puts a pre-commit hook into the knowledge
//! repository that runs `daftar check --staged`, which checks the notes staged for the commit
//! (as they are in the work tree) against the whole root, so a broken link or a front-matter typo
//! is caught before it is pushed. An existing hook of someone else's is never overwritten.

use std::path::{Path, PathBuf};

use super::{GitError, Repo};

/// The line that marks a hook as daftar's (and so safe to replace with a newer one).
pub const MARKER: &str = "# installed by `daftar check --install-hook`";

/// What installing did.
#[derive(Debug, PartialEq, Eq)]
pub enum Installed {
    New(PathBuf),
    Updated(PathBuf),
    AlreadyThere(PathBuf),
}

/// Why the hook was not installed.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(
        "{path} already exists and is not daftar's: it was left alone. To chain daftar into it, add \
         this line to it:\n    {line}"
    )]
    Exists { path: PathBuf, line: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Quotes a string for `sh`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The command the hook runs: `root` is the knowledge root relative to the work tree's top (where
/// git runs hooks), so the hook keeps working when the repository moves.
pub fn command(daftar: &Path, root: &str) -> String {
    let root = if root.is_empty() { "." } else { root.trim_end_matches('/') };
    format!("{} check --staged --root {}", sh_quote(&daftar.to_string_lossy()), sh_quote(root))
}

/// The hook script.
pub fn script(daftar: &Path, root: &str) -> String {
    let cmd = command(daftar, root);
    format!(
        "#!/bin/sh\n{MARKER}\n# Checks the staged notes (front matter, links) before each commit; \
         `git commit --no-verify` skips it once.\n\
         if [ -n \"$DAFTAR\" ]; then exec \"$DAFTAR\" check --staged --root {root_q}; fi\n\
         if ! [ -x {exe_q} ] && command -v daftar >/dev/null 2>&1; then exec daftar check --staged --root {root_q}; fi\n\
         exec {cmd}\n",
        root_q = sh_quote(if root.is_empty() { "." } else { root.trim_end_matches('/') }),
        exe_q = sh_quote(&daftar.to_string_lossy()),
    )
}

/// Installs the pre-commit hook of the repository holding `root`; `daftar` is the binary to run.
pub fn install(root: &Path, daftar: &Path) -> Result<Installed, HookError> {
    let repo = Repo::open(root)?;
    let text = |out: Vec<u8>| String::from_utf8_lossy(&out).trim_end_matches('\n').to_string();
    // --git-path honours core.hooksPath and linked work trees.
    let hook = root.join(text(repo.git(&["rev-parse", "--git-path", "hooks/pre-commit"])?));
    let prefix = text(repo.git(&["rev-parse", "--show-prefix"])?);
    let content = script(daftar, &prefix);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| HookError::Io { path, source }
    };
    let existing = std::fs::read_to_string(&hook).ok();
    let outcome = match existing {
        Some(old) if old == content => return Ok(Installed::AlreadyThere(hook)),
        Some(old) if old.contains(MARKER) => Installed::Updated(hook.clone()),
        Some(_) => {
            return Err(HookError::Exists { line: format!("{} || exit 1", command(daftar, &prefix)), path: hook })
        }
        None => Installed::New(hook.clone()),
    };
    if let Some(dir) = hook.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    std::fs::write(&hook, content).map_err(io(&hook))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).map_err(io(&hook))?;
    }
    Ok(outcome)
}

/// The notes staged for the next commit under `root` (added, copied, modified or renamed), as
/// paths in the work tree.
pub fn staged(root: &Path) -> Result<Vec<PathBuf>, GitError> {
    let repo = Repo::open(root)?;
    let out = repo.git(&[
        "diff",
        "--cached",
        "--name-only",
        "-z",
        "--diff-filter=ACMR",
        "--relative",
        "--no-renames",
        "--",
        ".",
    ])?;
    Ok(out
        .split(|b| *b == 0)
        .filter_map(|p| std::str::from_utf8(p).ok())
        .filter(|p| !p.is_empty() && crate::vault::file_kind(p).is_some())
        .map(|p| root.join(p))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_quotes_paths() {
        let s = script(Path::new("/opt/my tools/daftar"), "knowledge/o'brien/");
        assert!(s.starts_with("#!/bin/sh\n"));
        assert!(s.contains(MARKER));
        assert!(s.contains("exec '/opt/my tools/daftar' check --staged --root 'knowledge/o'\\''brien'\n"), "{s}");
        assert!(script(Path::new("daftar"), "").contains("--root '.'"));
    }
}
