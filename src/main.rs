//! The `daftar` binary: parse the command line, set up logging, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    bound_malloc_arenas();
    let cli = daftar::cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    match daftar::app::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("daftar: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// glibc gives each thread that allocates concurrently an arena of its own, up to 8 per core, and
/// keeps what each one freed. The server's blocking pool grows to dozens of threads under
/// concurrent searches, and every commit's new searcher allocates its caches wherever a search
/// runs next: at 100,000 notes the anonymous memory grew from 110 to 300 MB over 50 single-note
/// commits. Two arenas per core keep 16 concurrent clients at the same throughput and halved the
/// serving peak (BENCHMARKS.md, "Serving memory"). `MALLOC_ARENA_MAX`, when set, wins.
#[allow(unsafe_code)] // the crate's one unsafe call
fn bound_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let arenas = i32::try_from(2 * cores).unwrap_or(i32::MAX);
        // SAFETY: called first in main, before any other thread exists; mallopt only sets a limit.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}
