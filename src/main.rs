//! The `daftar` binary: parse the command line, set up logging, run, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    daftar::memory::bound_arenas();
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
