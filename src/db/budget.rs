//! Bounds on the database work of one read request, so that no request, however it is
//! phrased, can keep a pooled connection busy for long or take every connection at once.
//!
//! A read runs on one connection taken from the pool here. Before it is handed out, SQLite is
//! given a progress handler that stops any statement still running once the request's budget
//! is spent (`SQLITE_INTERRUPT`, which the HTTP layer answers with 503 `timeout`); the pool
//! removes the handler again when the connection comes back (see [`clear_on_release`]), so a
//! write or a later read never inherits someone else's deadline. Reads that search text can
//! cost far more than the rest, so at most all but one of the pool's connections serve them
//! at a time: a cheap lookup always finds a connection free, however many searches are under
//! way.

use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection, SqlitePool};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::error::Error;

/// Virtual-machine steps between two looks at the clock: reading it costs tens of
/// nanoseconds, so this keeps the check far below a percent of the work while still noticing
/// a spent budget within a fraction of a millisecond.
const STEPS_PER_CHECK: i32 = 1000;

/// SQLite's result code for a statement stopped by the progress handler.
const SQLITE_INTERRUPT: &str = "9";

/// How expensive a read may be, which decides whether it waits for a share of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    /// Key lookups and index scans bounded by the page size.
    Light,
    /// Text search: its cost grows with the text and the data, not with the page.
    Heavy,
}

/// The budget of each read and the share of the pool that heavy reads may hold.
#[derive(Clone)]
pub struct Reads {
    budget: Duration,
    heavy: Arc<Semaphore>,
}

impl Reads {
    /// Heavy reads get every connection of `pool` but one (and at least one, for a pool of
    /// one connection, where nothing can be set aside).
    pub fn new(pool: &SqlitePool, budget: Duration) -> Self {
        let connections = pool.options().get_max_connections() as usize;
        Self {
            budget,
            heavy: Arc::new(Semaphore::new(connections.saturating_sub(1).max(1))),
        }
    }

    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.budget = budget;
        self
    }

    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// A statement SQLite stopped at the budget is the request's own cost, not a fault of
    /// the server: it becomes [`Error::Timeout`], naming the budget it ran past.
    pub fn over_budget(&self, error: Error) -> Error {
        match error {
            Error::Sqlx(e) if is_interrupted(&e) => Error::Timeout(self.budget),
            other => other,
        }
    }

    /// A connection whose statements SQLite stops once the budget, counted from now, is
    /// spent. A heavy read first waits for its share of the pool; the request's own deadline
    /// bounds that wait.
    pub async fn acquire(
        &self,
        pool: &SqlitePool,
        weight: Weight,
    ) -> Result<ReadConn, sqlx::Error> {
        let permit = match weight {
            Weight::Light => None,
            Weight::Heavy => Some(
                Arc::clone(&self.heavy)
                    .acquire_owned()
                    .await
                    .map_err(|_| sqlx::Error::PoolClosed)?,
            ),
        };
        let mut conn = pool.acquire().await?;
        let deadline = Instant::now() + self.budget;
        conn.lock_handle()
            .await?
            .set_progress_handler(STEPS_PER_CHECK, move || Instant::now() < deadline);
        Ok(ReadConn {
            conn,
            _permit: permit,
        })
    }
}

/// A pooled connection under a read budget; it goes back to the pool when dropped.
pub struct ReadConn {
    conn: PoolConnection<Sqlite>,
    _permit: Option<OwnedSemaphorePermit>,
}

impl Deref for ReadConn {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.conn
    }
}

impl DerefMut for ReadConn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

/// Whether `error` is SQLite stopping a statement because its budget was spent.
pub fn is_interrupted(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(e) => e.code().as_deref() == Some(SQLITE_INTERRUPT),
        _ => false,
    }
}

/// Removes whatever progress handler a connection carries as it returns to the pool. When a
/// request is abandoned mid-statement, this waits for the statement, which the handler
/// still stops at the budget, so the connection is handed on idle and clean.
pub fn clear_on_release(
    conn: &mut SqliteConnection,
    _meta: sqlx::pool::PoolConnectionMetadata,
) -> Pin<Box<dyn Future<Output = Result<bool, sqlx::Error>> + Send + '_>> {
    Box::pin(async move {
        conn.lock_handle().await?.remove_progress_handler();
        Ok(true)
    })
}
