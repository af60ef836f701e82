//! The command line, parsed once by clap into these types; [`crate::config`] turns the raw
//! options into a validated configuration.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// daftar: search and read your program-management knowledge (Markdown notes in git), in Persian and English.
#[derive(Debug, Parser)]
#[command(name = "daftar", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Where the knowledge lives and where its index goes.
#[derive(Debug, Args, Clone, Default)]
pub struct Location {
    /// The knowledge root [default: ./knowledge when it exists, else .] [env: DAFTAR_ROOT]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The index folder [default: <root>/.daftar] [env: DAFTAR_INDEX]
    #[arg(long, value_name = "DIR")]
    pub index: Option<PathBuf>,
    /// Configuration file [default: <root>/daftar.toml] [env: DAFTAR_CONFIG]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sync the index with the folder, watch it, and serve the API and viewer.
    Serve(ServeArgs),
    /// Sync the index with the folder once and exit, with a summary.
    Index(IndexArgs),
    /// Search from the terminal.
    Search(SearchArgs),
    /// Validate notes (front matter, links); exit 1 on problems.
    Check(CheckArgs),
    /// Write a new note from a template in the right folder.
    New(NewArgs),
    /// Who knows about this: people ranked by their notes' relevance (experts and commit authors).
    Experts(ExpertsArgs),
    /// The PMIS report of a program: counts, growth, coverage, review health, contributions.
    Report(ReportArgs),
    /// Make a new access token: prints the token once, and the `[[auth.tokens]]` entry to paste.
    Token(TokenArgs),
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Who or what the token is for (shown in the viewer, /api/me and the log).
    pub name: String,
    /// A group it belongs to; restricted notes name groups in `audience`. Repeat for several.
    #[arg(long = "group", value_name = "GROUP")]
    pub groups: Vec<String>,
    /// Sees every note, and the figures that count them all (/metrics, full /api/stats).
    #[arg(long)]
    pub admin: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum ReportFormat {
    /// Markdown, ready to paste into a status document.
    #[default]
    Md,
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub location: Location,
    #[arg(long, value_name = "P")]
    pub program: Option<String>,
    #[arg(long, value_name = "P")]
    pub project: Option<String>,
    /// Count growth and contributions from this day (YYYY-MM-DD or Jalali).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: ReportFormat,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub location: Location,
    /// Address to listen on [default: 127.0.0.1:7373] [env: DAFTAR_ADDR]
    #[arg(long, value_name = "ADDR")]
    pub addr: Option<String>,
    /// Don't watch the folder for changes.
    #[arg(long)]
    pub no_watch: bool,
    /// Watch by polling instead of native file events.
    #[arg(long)]
    pub poll: bool,
    /// Pull from the git upstream at this interval (e.g. 60s, 5m).
    #[arg(long, value_name = "INTERVAL")]
    pub pull: Option<String>,
    /// Allow serving without access control on a non-loopback address.
    #[arg(long)]
    pub allow_anonymous: bool,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(flatten)]
    pub location: Location,
    /// Start from an empty index.
    #[arg(long)]
    pub rebuild: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, Default, PartialEq, Eq)]
pub enum SortArg {
    #[default]
    Relevance,
    Date,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words, "phrases", -word, field:value, OR. Quote a query that excludes words
    /// (`daftar search 'vendor -cutover'`) or put it after `--`.
    pub query: Vec<String>,
    #[command(flatten)]
    pub location: Location,
    #[arg(long, value_name = "P")]
    pub program: Vec<String>,
    #[arg(long, value_name = "P")]
    pub project: Vec<String>,
    #[arg(long, value_name = "E")]
    pub expert: Vec<String>,
    #[arg(long, value_name = "K")]
    pub kind: Vec<String>,
    #[arg(long, value_name = "T")]
    pub tag: Vec<String>,
    #[arg(long, value_name = "S")]
    pub status: Vec<String>,
    /// Only key documents.
    #[arg(long)]
    pub key: bool,
    /// Notes dated on or after this day (YYYY-MM-DD or Jalali).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Notes dated on or before this day.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub sort: SortArg,
    /// Keep only notes with every word.
    #[arg(long)]
    pub all: bool,
    /// Favour recent notes.
    #[arg(long)]
    pub recent: bool,
    /// Treat the last word as a prefix.
    #[arg(long)]
    pub prefix: bool,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// Print JSON: {"total", "hits": [...]} with hits shaped as the API's.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Notes or folders to check [default: the whole root].
    pub paths: Vec<PathBuf>,
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Check the notes staged for the next git commit (what the pre-commit hook runs).
    #[arg(long, conflicts_with = "paths")]
    pub staged: bool,
    /// Install a git pre-commit hook in the root's repository that runs `daftar check --staged`.
    #[arg(long, conflicts_with_all = ["paths", "staged"])]
    pub install_hook: bool,
}

#[derive(Debug, Args)]
pub struct ExpertsArgs {
    /// The topic: words, "phrases", field:value, as in search.
    #[arg(required = true)]
    pub query: Vec<String>,
    #[command(flatten)]
    pub location: Location,
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Print JSON: {"query", "experts": [{name, score, notes, evidence}]}.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    #[arg(long, value_name = "K")]
    pub kind: String,
    #[arg(long, value_name = "P")]
    pub program: String,
    #[arg(long, value_name = "P")]
    pub project: Option<String>,
    #[arg(long, value_name = "T")]
    pub title: String,
    /// An expert to credit (repeatable).
    #[arg(long, value_name = "NAME")]
    pub expert: Vec<String>,
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}
