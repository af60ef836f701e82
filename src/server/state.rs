//! What every request handler shares: the index (read-only here), the vault, the configuration,
//! the writer's status, the git history and puller, the clock and the metrics. Index work runs on
//! the blocking pool, never on the async threads.

use std::sync::Arc;
use std::time::Instant;

use super::error::{ApiError, ApiResult};
use super::metrics::Metrics;
use crate::config::Config;
use crate::git::history;
use crate::git::remote::Puller;
use crate::git::Repo;
use crate::index::Index;
use crate::indexer::Status;
use crate::vault::Vault;

/// Shared, cheap to clone.
#[derive(Clone)]
pub struct AppState(pub Arc<Shared>);

pub struct Shared {
    pub index: Index,
    pub vault: Vault,
    pub config: Config,
    pub status: Arc<Status>,
    pub metrics: Metrics,
    pub started: Instant,
    /// The notes' git history (empty without git), kept current by the writer.
    pub history: history::Shared,
    pub repo: Option<Repo>,
    /// Pulls from the upstream, when `--pull` or a webhook secret asks for it.
    pub puller: Option<Puller>,
    /// What time it is: the system clock, or a fixed one in tests (review dates, feeds).
    pub clock: Clock,
    /// The reports built last, answered again until the index, the history or the day changes.
    pub reports: super::reports::Cache,
}

/// A source of the current time.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync>);

impl Clock {
    pub fn system() -> Clock {
        Clock(Arc::new(chrono::Utc::now))
    }

    /// A clock stopped at `at`.
    pub fn fixed(at: chrono::DateTime<chrono::Utc>) -> Clock {
        Clock(Arc::new(move || at))
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        (self.0)()
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// Runs index work on the blocking pool.
    pub async fn blocking<T, F>(&self, work: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Shared) -> ApiResult<T> + Send + 'static,
    {
        let state = self.0.clone();
        tokio::task::spawn_blocking(move || work(&state)).await.map_err(ApiError::from)?
    }
}
