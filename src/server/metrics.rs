//! Prometheus metrics: requests by route and status, a latency histogram per route, and gauges
//! for notes indexed, the last sync and commits. Rendered in the text format at `/metrics`.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use super::state::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

/// The server's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    notes: Gauge,
    last_sync: Gauge<f64, std::sync::atomic::AtomicU64>,
    commits: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("daftar");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5])
        });
        let notes = Gauge::default();
        let last_sync = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        let commits = Gauge::default();
        registry.register("http_requests", "HTTP requests by route and status", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency by route", latency.clone());
        registry.register("notes_indexed", "Notes in the index", notes.clone());
        registry.register("last_sync_timestamp_seconds", "Unix time of the last completed sync", last_sync.clone());
        registry.register("index_commits", "Index commits since start", commits.clone());
        Metrics { registry: Arc::new(registry), requests, latency, notes, last_sync, commits }
    }
}

impl Metrics {
    /// The text exposition, with the gauges refreshed from the index and writer status.
    pub fn render(&self, state: &super::state::Shared) -> String {
        self.notes.set(i64::try_from(state.index.searcher().num_docs()).unwrap_or(i64::MAX));
        self.commits.set(i64::try_from(state.status.commits.load(Ordering::Relaxed)).unwrap_or(i64::MAX));
        if let Ok(last) = state.status.last_sync.lock() {
            if let Some(l) = last.as_ref() {
                self.last_sync.set(l.unix);
            }
        }
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            tracing::error!("cannot encode metrics");
        }
        out
    }
}

/// Middleware counting every request by its route template (not its raw path, to bound labels).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route =
        req.extensions().get::<MatchedPath>().map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let started = Instant::now();
    let response = next.run(req).await;
    let m = &state.metrics;
    m.requests.get_or_create(&RequestLabels { route: route.clone(), status: response.status().as_u16() }).inc();
    m.latency.get_or_create(&RouteLabels { route }).observe(started.elapsed().as_secs_f64());
    response
}
