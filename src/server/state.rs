//! What every request handler shares: the index (read-only here), the vault, the configuration,
//! the writer's status and the metrics. Index work runs on the blocking pool, never on the async
//! threads.

use std::sync::Arc;
use std::time::Instant;

use super::error::{ApiError, ApiResult};
use super::metrics::Metrics;
use crate::config::Config;
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
