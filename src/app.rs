//! Wiring: each command opens what it needs (vault, index, writer), runs, and reports. Exit codes
//! are decided here and mapped in `main`: 0 success, 1 problems found (`check`), 2 usage or
//! runtime errors.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;

use crate::check;
use crate::cli::{CheckArgs, Cli, Command, ExpertsArgs, IndexArgs, Location, NewArgs, SearchArgs, SortArg};
use crate::config::{self, Config};
use crate::index::search::{self, Filters, Request, Sort};
use crate::index::{sync, Index};
use crate::note::date;
use crate::vault::{template, Vault};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => crate::server::run(args),
        Command::Index(args) => index(args),
        Command::Search(args) => search_cmd(args),
        Command::Check(args) => check_cmd(args),
        Command::New(args) => new(args),
        Command::Experts(args) => experts_cmd(args),
        Command::Report(args) => report_cmd(args),
        Command::Token(args) => token_cmd(args),
    }
}

fn open(location: &Location) -> anyhow::Result<(Config, Vault)> {
    let config = config::load(location, None)?;
    let vault = Vault::open(&config.root).with_context(|| format!("cannot open {}", config.root.display()))?;
    Ok((config, vault))
}

/// `daftar index`: one sync with a progress bar on a terminal and a one-line summary.
fn index(args: IndexArgs) -> anyhow::Result<ExitCode> {
    let (config, vault) = open(&args.location)?;
    let index = Index::open(&config.index, args.rebuild)?;
    let mut writer = index.writer()?;
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} indexing [{bar:30}] {pos}/{len} notes {per_sec} {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar
    });
    let progress = |done: usize, total: usize| {
        if let Some(bar) = &bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }
    };
    let summary = sync::sync(&vault, &index, &mut writer, &progress)?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}: {summary}", config.root.display())?;
    Ok(ExitCode::SUCCESS)
}

/// Opens the index for reading, building it first when it does not exist yet.
fn open_for_search(config: &Config, vault: &Vault) -> anyhow::Result<Index> {
    let index = Index::open(&config.index, false)?;
    if index.fresh {
        let mut writer = index.writer()?;
        sync::sync(vault, &index, &mut writer, &|_, _| {})?;
    }
    Ok(index)
}

fn day(raw: &Option<String>, name: &str) -> anyhow::Result<Option<date::Instant>> {
    raw.as_deref().map(|s| date::parse(s).map_err(|e| anyhow::anyhow!("--{name}: {e}"))).transpose()
}

/// `daftar search`.
fn search_cmd(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let (config, vault) = open(&args.location)?;
    let index = open_for_search(&config, &vault)?;
    let req = Request {
        q: args.query.join(" "),
        filters: Filters {
            program: args.program,
            project: args.project,
            expert: args.expert,
            kind: args.kind,
            tag: args.tag,
            status: args.status,
            key: args.key.then_some(true),
            from: day(&args.from, "from")?,
            to: day(&args.to, "to")?,
        },
        sort: if args.sort == SortArg::Date { Sort::Date } else { Sort::Relevance },
        match_all: args.all,
        prefix: args.prefix,
        limit: args.limit,
        offset: args.offset,
        facets: false,
        recency: args.recent,
        typos: config.typos,
        // The command line reads the folder itself: nothing in it is hidden from its user.
        reader: crate::access::Reader::everyone(),
    };
    let res = search::search(&index, &req)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json =
            serde_json::json!({ "query": res.query, "total": res.total, "took_ms": res.took_ms, "hits": res.hits });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let color = std::io::stdout().is_terminal();
    writeln!(out, "{} notes ({:.1} ms)", res.total, res.took_ms)?;
    for (i, hit) in res.hits.iter().enumerate() {
        let c = &hit.card;
        let place: Vec<&str> = [c.program.as_deref(), c.project.as_deref()].into_iter().flatten().collect();
        let partial =
            if hit.matched < res.words { format!("  [{}/{} words]", hit.matched, res.words) } else { String::new() };
        writeln!(out, "\n{:>2}. {}{partial}", i + 1 + args.offset, c.title)?;
        writeln!(out, "    {} · {} · {} · {}", c.id, c.kind, place.join(" / "), c.date.as_deref().unwrap_or("-"))?;
        writeln!(out, "    {}", terminal_snippet(&hit.snippet, color))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A `<mark>` snippet for a terminal: bold where marked (or `**` without colour), entities decoded.
fn terminal_snippet(html: &str, color: bool) -> String {
    let (on, off) = if color { ("\x1b[1;33m", "\x1b[0m") } else { ("**", "**") };
    html.replace("<mark>", on)
        .replace("</mark>", off)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// `daftar check`: one line per problem, exit 1 when there is any.
fn check_cmd(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let root = config::root(args.root.as_deref(), None);
    let vault = Vault::open(&root).with_context(|| format!("cannot open {}", root.display()))?;
    if args.install_hook {
        return install_hook(vault.root());
    }
    let paths = if args.staged {
        let staged = crate::git::hook::staged(vault.root()).context("cannot list the staged notes")?;
        if staged.is_empty() {
            eprintln!("no staged notes to check");
            return Ok(ExitCode::SUCCESS);
        }
        staged
    } else {
        args.paths
    };
    let started = std::time::Instant::now();
    let findings = check::check(&vault, &paths);
    let mut out = std::io::stdout().lock();
    let display_root = if root == std::path::Path::new(".") { std::path::PathBuf::new() } else { root.clone() };
    for f in &findings {
        writeln!(out, "{}:{}: {}", display_root.join(&f.id).display(), f.line, f.message)?;
    }
    let notes: std::collections::HashSet<&str> = findings.iter().map(|f| f.id.as_str()).collect();
    eprintln!(
        "{} problem(s) in {} note(s), checked in {:.2}s",
        findings.len(),
        notes.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(if findings.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `daftar check --install-hook`.
fn install_hook(root: &std::path::Path) -> anyhow::Result<ExitCode> {
    use crate::git::hook::{self, Installed};
    let exe = std::env::current_exe().unwrap_or_else(|_| std::path::PathBuf::from("daftar"));
    let said = match hook::install(root, &exe)? {
        Installed::New(p) => format!("installed the pre-commit hook: {}", p.display()),
        Installed::Updated(p) => format!("updated the pre-commit hook: {}", p.display()),
        Installed::AlreadyThere(p) => format!("the pre-commit hook is already installed: {}", p.display()),
    };
    writeln!(std::io::stdout().lock(), "{said}")?;
    Ok(ExitCode::SUCCESS)
}

/// `daftar experts`: people ranked by their notes' relevance to a topic.
fn experts_cmd(args: ExpertsArgs) -> anyhow::Result<ExitCode> {
    let (config, vault) = open(&args.location)?;
    let index = open_for_search(&config, &vault)?;
    let q = args.query.join(" ");
    let people = crate::index::expertise::find(&index, &q, args.limit.max(1), &crate::access::Reader::everyone())?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({ "query": q, "experts": people });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if people.is_empty() {
        writeln!(out, "nobody found for `{q}`")?;
    }
    for (i, p) in people.iter().enumerate() {
        writeln!(out, "{:>2}. {}  score {:.2}, {} note(s)", i + 1, p.name, p.score, p.notes)?;
        for e in &p.evidence {
            writeln!(out, "      {} ({}, {})", e.title, e.id, e.role.as_str())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `daftar report`: the same report as `/api/reports`, after bringing the index up to date.
fn report_cmd(args: crate::cli::ReportArgs) -> anyhow::Result<ExitCode> {
    use crate::cli::ReportFormat;
    use crate::index::report;
    let (config, vault) = open(&args.location)?;
    let index = Index::open(&config.index, false)?;
    match index.writer() {
        Ok(mut writer) => {
            sync::sync(&vault, &index, &mut writer, &|_, _| {})?;
        }
        // A running server owns the writer and keeps the index current: read what it committed.
        Err(crate::error::Error::Locked(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let repo = crate::git::Repo::discover(vault.root());
    let history = crate::git::history::History::load(repo.as_ref());
    let scope =
        report::Scope { program: args.program, project: args.project, from: args.from.clone(), to: args.to.clone() };
    let (from, to) = (day(&args.from, "from")?, day(&args.to, "to")?);
    // The command line reads the folder itself: nothing in it is hidden from its user.
    let everything = crate::index::browse::visible(index.fields(), &crate::access::Reader::everyone());
    let period = (from.as_ref(), to.as_ref());
    let rep =
        report::build(&index, vault.root(), Some(&history), &scope, period, chrono::Utc::now(), everything.as_ref())?;
    let text = match args.format {
        ReportFormat::Md => rep.to_markdown(),
        ReportFormat::Csv => rep.to_csv(),
        ReportFormat::Json => serde_json::to_string_pretty(&rep)? + "\n",
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `daftar new`.
fn new(args: NewArgs) -> anyhow::Result<ExitCode> {
    let root = config::root(args.root.as_deref(), None);
    let today = chrono::Local::now().date_naive();
    let path = template::write(
        &root,
        &template::NewNote {
            kind: &args.kind,
            program: &args.program,
            project: args.project.as_deref(),
            title: &args.title,
            experts: &args.expert,
            date: today,
        },
    )?;
    writeln!(std::io::stdout().lock(), "{}", path.display())?;
    Ok(ExitCode::SUCCESS)
}

/// `daftar token`: a fresh random token and the `daftar.toml` entry that admits it. Only the hash
/// goes into the file; the token is shown this once.
fn token_cmd(args: crate::cli::TokenArgs) -> anyhow::Result<ExitCode> {
    let name = args.name.trim();
    if name.is_empty() {
        anyhow::bail!("the token needs a name");
    }
    let token = crate::access::new_token()?;
    // JSON strings are TOML basic strings: quotes, backslashes and Persian names come out right.
    let groups: Vec<String> = args.groups.iter().map(|g| serde_json::to_string(g.trim())).collect::<Result<_, _>>()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "token: {token}")?;
    writeln!(out, "(shown once: hand it to its holder; clients send `Authorization: Bearer <token>`)")?;
    writeln!(out, "\nadd to daftar.toml:\n\n[[auth.tokens]]")?;
    writeln!(out, "name = {}", serde_json::to_string(name)?)?;
    writeln!(out, "sha256 = \"{}\"", crate::access::hash_hex(&token))?;
    writeln!(out, "groups = [{}]", groups.join(", "))?;
    if args.admin {
        writeln!(out, "admin = true")?;
    }
    Ok(ExitCode::SUCCESS)
}
