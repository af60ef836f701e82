//! Git, the knowledge base's history and replication log: who wrote and changed each note and when
//! ([`history`]), noticing when HEAD moves ([`head`]), pulling from the upstream ([`remote`]), the
//! signed webhook that asks for a pull ([`webhook`]) and the pre-commit hook ([`hook`]).
//!
//! Everything here goes through the `git` command line, not a library. One `git log` streams the
//! whole history with file changes in well under a second for 10,000 commits (measured in the
//! README), `fetch` and `merge --ff-only` get the user's own credentials, SSH and proxy setup for
//! free, and the build stays lean on 2 cores (gix with the features this needs is a few hundred
//! crates more; libgit2 is a C build). Every call has a time limit and never prompts.
//!
//! Nothing here is required: a root that is not in a git work tree (or a machine without git)
//! gets file times instead of commit times and no history, and every feature degrades to that.

pub mod head;
pub mod history;
pub mod hook;
pub mod remote;
pub mod webhook;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long a local git command may run (a history pass over a very large repository included).
pub const LOCAL_TIMEOUT: Duration = Duration::from_secs(120);

/// What can go wrong running git.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git: {0}")]
    Spawn(#[source] std::io::Error),
    #[error("git {args}: {message}")]
    Failed { args: String, message: String },
    #[error("git {args} took longer than {secs}s and was stopped")]
    Timeout { args: String, secs: u64 },
    #[error("{0} is not inside a git work tree")]
    NotARepo(PathBuf),
}

/// A knowledge root inside a git work tree.
#[derive(Debug, Clone)]
pub struct Repo {
    /// The knowledge root; git runs here, so paths come out relative to it (`--relative`).
    root: PathBuf,
    /// `.git` of this work tree (HEAD lives here).
    git_dir: PathBuf,
    /// Where refs and packed-refs live (differs from `git_dir` in a linked work tree).
    common_dir: PathBuf,
}

impl Repo {
    /// The repository holding `root`, or `None` when it is not in a git work tree or git is missing.
    pub fn discover(root: &Path) -> Option<Repo> {
        match Repo::open(root) {
            Ok(repo) => Some(repo),
            Err(GitError::Spawn(e)) => {
                tracing::info!(error = %e, "git is not available: commit history is off");
                None
            }
            Err(e) => {
                tracing::debug!(error = %e, "no git history for this root");
                None
            }
        }
    }

    /// Like [`Repo::discover`], with the reason when there is no repository.
    pub fn open(root: &Path) -> Result<Repo, GitError> {
        let out = run(
            root,
            &["rev-parse", "--is-inside-work-tree", "--absolute-git-dir", "--git-common-dir"],
            LOCAL_TIMEOUT,
        )?;
        if !out.status.success() {
            return Err(GitError::NotARepo(root.to_path_buf()));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        if lines.next() != Some("true") {
            return Err(GitError::NotARepo(root.to_path_buf()));
        }
        let git_dir = PathBuf::from(lines.next().unwrap_or_default());
        let common = PathBuf::from(lines.next().unwrap_or_default());
        // --git-common-dir is relative to the current directory unless it is absolute.
        let common_dir = if common.is_absolute() { common } else { root.join(common) };
        Ok(Repo { root: root.to_path_buf(), git_dir, common_dir })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn git_dir(&self) -> &Path {
        &self.git_dir
    }

    pub fn common_dir(&self) -> &Path {
        &self.common_dir
    }

    /// Runs git in the root with the local time limit; its stdout when it succeeds.
    pub fn git(&self, args: &[&str]) -> Result<Vec<u8>, GitError> {
        self.git_timed(args, LOCAL_TIMEOUT)
    }

    /// Runs git in the root; its stdout when it succeeds, its stderr as the error when not.
    pub fn git_timed(&self, args: &[&str], limit: Duration) -> Result<Vec<u8>, GitError> {
        let out = run(&self.root, args, limit)?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(failed(args, &out))
        }
    }

    /// Runs git and tells only whether it succeeded (for questions such as `merge-base --is-ancestor`).
    pub fn git_ok(&self, args: &[&str]) -> Result<bool, GitError> {
        Ok(run(&self.root, args, LOCAL_TIMEOUT)?.status.success())
    }

    /// The commit HEAD points at; `None` before the first commit.
    pub fn head(&self) -> Option<String> {
        let out = self.git(&["rev-parse", "--verify", "--quiet", "HEAD"]).ok()?;
        let id = String::from_utf8_lossy(&out).trim().to_string();
        (!id.is_empty()).then_some(id)
    }
}

fn failed(args: &[&str], out: &Output) -> GitError {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let message = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.strip_prefix("fatal: ").or_else(|| l.strip_prefix("error: ")).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("; ");
    let message = if message.is_empty() { format!("exited with {}", out.status) } else { message };
    GitError::Failed { args: args.join(" "), message }
}

/// Runs `git ARGS` in `dir`: never prompting for credentials (a server has no one to answer), with
/// messages in English (they end up in `/api/stats`), and killed after `limit`.
pub fn run(dir: &Path, args: &[&str], limit: Duration) -> Result<Output, GitError> {
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(GitError::Spawn)?;
    // Drain both pipes on their own threads: a big `git log` would otherwise fill a pipe and stall.
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let started = Instant::now();
    let mut nap = Duration::from_millis(1);
    let status = loop {
        match child.try_wait().map_err(GitError::Spawn)? {
            Some(status) => break status,
            None if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(GitError::Timeout { args: args.join(" "), secs: limit.as_secs() });
            }
            None => {
                std::thread::sleep(nap);
                nap = (nap * 2).min(Duration::from_millis(25));
            }
        }
    };
    Ok(Output { status, stdout: stdout.join().unwrap_or_default(), stderr: stderr.join().unwrap_or_default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_folder_is_not_a_repo() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(Repo::discover(dir.path()).is_none());
    }

    #[test]
    fn failures_carry_git_s_message() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = run(dir.path(), &["log"], LOCAL_TIMEOUT).expect("run");
        match failed(&["log"], &out) {
            GitError::Failed { message, .. } => assert!(message.contains("not a git repository"), "{message}"),
            other => panic!("{other:?}"),
        }
    }
}
