//! What every handler shares.

use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;

use crate::db::budget::Reads;
use crate::db::read::Counts;
use crate::db::read::names::Names;
use crate::http::cache::ResponseCache;
use crate::ingest::Writes;

/// Request bodies above this are refused with 413 unless configured otherwise.
pub const DEFAULT_MAX_BODY: usize = 4 * 1024 * 1024;

/// Long enough for the largest bundle write on a slow disk, short enough that a stuck request
/// gives its connection and concurrency slot back.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 30;

/// The time one read statement may run in SQLite before it is stopped with 503:
/// ten times the slowest ordinary read measured on a million metrics (a search across every
/// collection, about half a second under load, see bench/), and well inside the request
/// deadline, so a connection is free again long before the client gives up.
pub const DEFAULT_QUERY_TIMEOUT_MS: u64 = 5000;

/// Requests served at once; more are refused with 503 rather than queued, so a burst cannot
/// pile up memory and latency. SQLite serialises writes anyway, and reads are short.
pub const DEFAULT_MAX_CONCURRENCY: usize = 256;

/// Enough for a few thousand typical pages, small next to SQLite's own caches.
pub const DEFAULT_CACHE_BYTES: usize = 32 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub pool: SqlitePool,
    /// The bearer token writes need; `None` turns writes off.
    pub token: Option<Arc<str>>,
    /// A replica serves reads only, whatever token it was given.
    pub read_only: bool,
    pub max_body: usize,
    pub request_timeout: Duration,
    pub max_concurrency: usize,
    /// Encoded responses by data version; `None` when turned off.
    pub cache: Option<ResponseCache>,
    /// List totals by data version, kept whether or not responses are.
    pub counts: Counts,
    /// Entity ids and names by data version, for names given where ids are expected.
    pub names: Names,
    /// The budget of each read and the share of the pool text searches may hold.
    pub reads: Reads,
    /// Writers' turns, and whether writes currently work.
    pub writes: Arc<Writes>,
}

/// A write waits for the ones ahead of it at most half of its request's time, keeping the
/// other half for itself.
fn writes_for(request_timeout: Duration) -> Arc<Writes> {
    Arc::new(Writes::new(request_timeout / 2))
}

impl AppState {
    pub fn new(pool: SqlitePool) -> Self {
        let reads = Reads::new(&pool, Duration::from_millis(DEFAULT_QUERY_TIMEOUT_MS));
        Self {
            pool,
            token: None,
            read_only: false,
            max_body: DEFAULT_MAX_BODY,
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            max_concurrency: DEFAULT_MAX_CONCURRENCY,
            cache: Some(ResponseCache::new(DEFAULT_CACHE_BYTES)),
            counts: Counts::default(),
            names: Names::default(),
            reads,
            writes: writes_for(Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS)),
        }
    }

    pub fn with_token(mut self, token: impl Into<Arc<str>>) -> Self {
        self.token = Some(token.into());
        self
    }

    pub fn with_read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    pub fn with_query_timeout(mut self, budget: Duration) -> Self {
        self.reads = self.reads.with_budget(budget);
        self
    }

    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self.writes = writes_for(timeout);
        self
    }

    /// At least one request must be able to run, so zero counts as one.
    pub fn with_max_concurrency(mut self, requests: usize) -> Self {
        self.max_concurrency = requests.max(1);
        self
    }

    /// Zero bytes turns the response cache off.
    pub fn with_cache_bytes(mut self, bytes: usize) -> Self {
        self.cache = (bytes > 0).then(|| ResponseCache::new(bytes));
        self
    }
}
