//! What every handler shares: the database and what is kept beside it (totals, names, the
//! read budget, the writers' queue), and who may write. Everything here comes from `db/` or
//! below; how requests are limited, timed out and cached is the middleware's, set up with
//! [`crate::http::Layers`].

use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;

use crate::db::budget::Reads;
use crate::db::read::Counts;
use crate::db::read::names::Names;
use crate::db::writers::Writes;

/// The time one read statement may run in SQLite before it is stopped with 503:
/// ten times the slowest ordinary read measured on a million metrics (a search across every
/// collection, about half a second under load, see bench/), and well inside the request
/// deadline, so a connection is free again long before the client gives up.
pub const DEFAULT_QUERY_TIMEOUT_MS: u64 = 5000;

/// A write waits for the ones ahead of it at most half of its request's time, keeping the
/// other half for itself: half of `http::DEFAULT_REQUEST_TIMEOUT_SECS`, which checks this.
pub const DEFAULT_WRITE_WAIT_SECS: u64 = 15;

#[derive(Clone)]
pub struct AppState {
    pub pool: SqlitePool,
    /// The bearer token writes need; `None` turns writes off.
    pub token: Option<Arc<str>>,
    /// A replica serves reads only, whatever token it was given.
    pub read_only: bool,
    /// List totals by data version, kept whether or not responses are.
    pub counts: Counts,
    /// Entity ids and names by data version, for names given where ids are expected.
    pub names: Names,
    /// The budget of each read and the share of the pool text searches may hold.
    pub reads: Reads,
    /// Writers' turns, and whether writes currently work.
    pub writes: Arc<Writes>,
}

impl AppState {
    pub fn new(pool: SqlitePool) -> Self {
        let reads = Reads::new(&pool, Duration::from_millis(DEFAULT_QUERY_TIMEOUT_MS));
        Self {
            pool,
            token: None,
            read_only: false,
            counts: Counts::default(),
            names: Names::default(),
            reads,
            writes: Arc::new(Writes::new(Duration::from_secs(DEFAULT_WRITE_WAIT_SECS))),
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

    pub fn with_query_timeout(mut self, budget: Duration) -> Self {
        self.reads = self.reads.with_budget(budget);
        self
    }

    /// How long a write waits for its slot and its turn before it is refused as `busy`; half
    /// of the request deadline leaves the other half for the write itself.
    pub fn with_write_wait(mut self, wait: Duration) -> Self {
        self.writes = Arc::new(Writes::new(wait));
        self
    }
}
