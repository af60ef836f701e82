//! The `daftar` binary: parse the command line, set up logging, run, map the outcome to an exit code.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;

/// glibc's malloc, or mimalloc for `daftar index` (src/memory.rs).
#[global_allocator]
static HEAP: daftar::memory::Heap = daftar::memory::Heap;

/// The allocator is chosen by the loader's call, before `main` and the first allocation.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
#[used]
#[link_section = ".init_array"]
static CHOOSE_HEAP: daftar::memory::Init = daftar::memory::choose;

fn main() -> ExitCode {
    daftar::memory::bound_arenas();
    let cli = daftar::cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tantivy=warn"));
    // Colours only on a terminal: a log piped to a file or a journal stays plain text.
    let ansi = std::io::stderr().is_terminal();
    tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_writer(std::io::stderr).init();
    tracing::debug!(heap = %daftar::memory::heap_name(), "allocator");
    match daftar::app::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("daftar: {e:#}");
            ExitCode::from(2)
        }
    }
}
