//! `daftar serve`: the HTTP API and viewer on axum, the only async part of daftar. The index is
//! opened, the writer thread starts its start-up sync, and the server answers at once from the last
//! committed index; `/readyz` turns ready when the sync is done. SIGINT/SIGTERM stop accepting,
//! let in-flight requests finish, and the writer commits before exit. In a git work tree, HEAD is
//! followed, and with `--pull` (or a webhook secret) the server pulls from the upstream.

pub mod api;
pub mod auth;
pub mod error;
pub mod feed;
pub mod hooks;
pub mod metrics;
pub mod openapi;
pub mod params;
pub mod raw;
pub mod reports;
pub mod state;
pub mod viewer;

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::cli::ServeArgs;
use crate::config;
use crate::index::Index;
use crate::indexer::Indexer;
use crate::vault::Vault;
pub use state::{AppState, Clock};

/// Longest a request may take before it is answered with 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How long a client may take to send a request's headers; a slower one (a "slowloris" holding
/// connections open a byte at a time) is disconnected.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// The router, apart from binding, so tests can drive it with `oneshot`.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/api/search", get(api::search))
        .route("/api/notes/{*id}", get(api::note))
        .route("/api/programs", get(api::programs))
        .route("/api/experts", get(api::experts))
        .route("/api/problems", get(api::problems))
        .route("/api/reports", get(reports::reports))
        .route("/api/stats", get(api::stats))
        .route("/api/me", get(auth::me))
        .route("/api/review", get(api::review))
        .route("/api/key", get(api::key))
        .route("/api/recent", get(api::recent))
        .route("/api/hooks/git", post(hooks::git))
        .route("/feed.atom", get(feed::atom))
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/{*rest}", get(api::not_found))
        .route("/raw/{*path}", get(raw::raw))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(api::metrics))
        .route("/", get(viewer::page))
        .route("/notes/{*id}", get(viewer::page))
        .route("/reports", get(viewer::page))
        .route("/assets/{*path}", get(viewer::asset));
    let private = state.config.auth.is_some();
    api.layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::map_response(move |res| private_to_the_reader(res, private)))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http().on_failure(log_failure))
        .with_state(state)
}

/// Logs a failed response: an error, but for a 503, which only `/readyz` answers, while the first
/// sync runs (a readiness probe polling a server that is still indexing is no error).
fn log_failure(class: ServerErrorsFailureClass, latency: Duration, _: &tracing::Span) {
    let latency_ms = latency.as_millis();
    match class {
        ServerErrorsFailureClass::StatusCode(axum::http::StatusCode::SERVICE_UNAVAILABLE) => {
            tracing::debug!(latency_ms, "not ready yet: 503")
        }
        class => tracing::error!(classification = %class, latency_ms, "response failed"),
    }
}

/// Under access control an answer depends on who asked: no shared cache may keep it, and a browser
/// must ask again (an ETag makes that cheap) rather than show a restricted file after sign-out.
async fn private_to_the_reader(mut res: axum::response::Response, private: bool) -> axum::response::Response {
    let headers = res.headers_mut();
    // The viewer's own assets are the same for everyone (and cached for a year by their hash).
    let shared = headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("public"));
    if private && !shared {
        headers.insert(header::VARY, HeaderValue::from_static("Authorization, Cookie"));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    }
    res
}

async fn openapi_json() -> impl axum::response::IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], openapi::document())
}

/// Opens the root and index, starts the writer thread (which begins with the start-up sync) and
/// the puller when asked for, and builds the handlers' state. The caller serves it and stops the
/// indexer at the end.
pub fn start(config: &config::Config) -> anyhow::Result<(AppState, Indexer)> {
    start_with_clock(config, Clock::system())
}

/// [`start`] with a given clock (tests fix "today").
pub fn start_with_clock(config: &config::Config, clock: Clock) -> anyhow::Result<(AppState, Indexer)> {
    let vault = Vault::open(&config.root).with_context(|| format!("cannot open {}", config.root.display()))?;
    let index = Index::open(&config.index, false)?;
    let writer = index.writer()?;
    let indexer = Indexer::start(vault.clone(), index.clone(), writer);
    let wants_pull = config.pull.is_some() || config.webhook_secret.is_some();
    let puller = match (&indexer.repo, wants_pull) {
        (Some(repo), true) => Some(crate::git::remote::Puller::start(repo.clone(), config.pull, indexer.jobs.clone())),
        (None, true) => {
            tracing::warn!(root = %config.root.display(), "not a git work tree: --pull and the webhook are off");
            None
        }
        _ => None,
    };
    let state = AppState(Arc::new(state::Shared {
        index,
        vault,
        config: config.clone(),
        status: indexer.status.clone(),
        metrics: metrics::Metrics::default(),
        started: Instant::now(),
        history: indexer.history.clone(),
        repo: indexer.repo.clone(),
        puller,
        clock,
        reports: Default::default(),
    }));
    Ok((state, indexer))
}

/// Runs the server until SIGINT or SIGTERM.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let mut config = config::load(&args.location, args.addr.as_deref())?;
    if let Some(every) = &args.pull {
        config.pull = Some(config::parse_interval(every).context("--pull")?);
    }
    if !config.addr.ip().is_loopback() && config.auth.is_none() && !args.allow_anonymous {
        anyhow::bail!(
            "refusing to serve {} without access control: add [auth] tokens to daftar.toml, bind a loopback address, or pass --allow-anonymous",
            config.addr
        );
    }
    let (state, indexer) = start(&config)?;
    let watcher = if args.no_watch || !config.watch {
        None
    } else {
        match crate::vault::watch::start(
            state.vault.clone(),
            indexer.jobs.clone(),
            indexer.status.clone(),
            args.poll || config.poll,
        ) {
            Ok(w) => Some(w),
            Err(e) => {
                // Serving stale-but-correct results beats not serving: say so loudly.
                tracing::error!(error = %e, "cannot watch the root: changes will not be picked up until restart");
                None
            }
        }
    };
    if let Ok(mut w) = indexer.status.watcher.lock() {
        *w = watcher.as_ref().map_or("off", |w| w.mode()).to_string();
    }
    // HEAD is followed with the folder: a commit or a pull made by hand updates the history.
    let head_watch = match (&watcher, &indexer.repo) {
        (Some(_), Some(repo)) => Some(crate::git::head::start(repo.clone(), indexer.jobs.clone())),
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        tracing::info!(addr = %config.addr, root = %config.root.display(), "serving");
        serve(listener, router(state), shutdown_signal(), HEADER_TIMEOUT).await;
        anyhow::Ok(())
    });
    tracing::info!("shutting down: committing pending changes");
    drop(head_watch);
    drop(watcher);
    indexer.stop();
    served?;
    Ok(ExitCode::SUCCESS)
}

/// Serves `app` on `listener` until `shutdown`, then lets open connections finish their requests.
/// This is axum's `serve` loop plus what it lacks: a timeout on reading a request's headers
/// ([`HEADER_TIMEOUT`] in `daftar serve`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()>,
    header_timeout: Duration,
) {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use hyper_util::service::TowerToHyperService;
    use tower::ServiceExt;

    let (closing, closed) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(
            app.clone().map_request(|req: axum::http::Request<hyper::body::Incoming>| req.map(axum::body::Body::new)),
        );
        let mut closed = closed.clone();
        tokio::spawn(async move {
            let mut builder = Builder::new(TokioExecutor::new());
            builder.http1().timer(TokioTimer::new()).header_read_timeout(header_timeout);
            let mut conn = std::pin::pin!(builder.serve_connection_with_upgrades(TokioIo::new(stream), service));
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = closed.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(closed);
    let _ = closing.send(());
    // Every connection task holds a receiver: this returns once the last one has finished.
    closing.closed().await;
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// What `f` logs at INFO and above.
    fn logged(f: impl FnOnce()) -> String {
        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Buffer {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().expect("buffer").extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let buffer = Buffer::default();
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, f);
        let bytes = buffer.0.lock().expect("buffer").clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[test]
    fn a_server_error_is_logged_as_one_but_not_ready_yet_is_not() {
        use axum::http::StatusCode;
        let span = tracing::Span::none();
        let ms = Duration::from_millis(3);
        let failed =
            logged(|| log_failure(ServerErrorsFailureClass::StatusCode(StatusCode::INTERNAL_SERVER_ERROR), ms, &span));
        assert!(failed.contains("ERROR") && failed.contains("500"), "{failed}");
        let dropped = logged(|| log_failure(ServerErrorsFailureClass::Error("connection reset".into()), ms, &span));
        assert!(dropped.contains("ERROR") && dropped.contains("connection reset"), "{dropped}");
        let syncing =
            logged(|| log_failure(ServerErrorsFailureClass::StatusCode(StatusCode::SERVICE_UNAVAILABLE), ms, &span));
        assert_eq!(syncing, "", "/readyz while the first sync runs is not an error");
    }
}
