//! Writers take turns in the process, and the outcome of the last write is what `/health`
//! reports about writes.
//!
//! A write queues twice, both times first come first served: for one of a few validation
//! slots (validation is CPU work; a dozen large bundles validated at once on two cores would
//! all finish late, and all miss their deadline), then for the one turn to write. Both waits
//! together are bounded, so a write that cannot start in time is refused as `busy` with
//! nothing stored, and keeps the rest of its request time for its own work.
//!
//! The queue lives with storage, not with the write use cases that wait in it, because it
//! stands for SQLite's one write lock, and because handlers hold it (in `AppState`, for
//! `/health`), which may only reach down to `db/`.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

use super::error::{Error, Result};

pub struct Writes {
    /// One permit per core: bundles validated at once.
    validation: Semaphore,
    /// One permit: the write holding it is the only one inside SQLite's write lock.
    turn: Semaphore,
    /// How long a write waits in all for its slot and its turn before it is refused with
    /// 503 `busy`.
    wait: Duration,
    /// The problem code of the last write, when it failed for a reason that is not the
    /// client's (no room, a database error); `None` once a write succeeds again.
    failing: Mutex<Option<&'static str>>,
}

impl Writes {
    pub fn new(wait: Duration) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            validation: Semaphore::new(cores),
            turn: Semaphore::new(1),
            wait,
            failing: Mutex::new(None),
        }
    }

    /// For a writer alone in its process: there is no one to wait for.
    pub fn alone() -> Self {
        Self::new(Duration::from_secs(3600))
    }

    /// Until when a write that arrives now waits for others.
    pub fn deadline(&self) -> Instant {
        Instant::now() + self.wait
    }

    /// Waits, until `deadline`, for a slot to validate a bundle in.
    pub async fn validation(&self, deadline: Instant) -> Result<SemaphorePermit<'_>> {
        self.queue(&self.validation, deadline, "earlier writes to be validated")
            .await
    }

    /// Waits, until `deadline`, for this process's earlier writes to finish.
    pub async fn turn(&self, deadline: Instant) -> Result<SemaphorePermit<'_>> {
        self.queue(&self.turn, deadline, "earlier writes to finish")
            .await
    }

    async fn queue<'s>(
        &self,
        queue: &'s Semaphore,
        deadline: Instant,
        what: &str,
    ) -> Result<SemaphorePermit<'s>> {
        match tokio::time::timeout_at(deadline, queue.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(Error::Internal(format!("the write queue: {closed}"))),
            Err(_) => Err(Error::Busy(format!("waited {:?} for {what}", self.wait))),
        }
    }

    /// Notes how a write that says whether writes work ended: `None` when it succeeded, or
    /// the problem code it failed with.
    pub fn record(&self, failing: Option<&'static str>) {
        *self.failing.lock().unwrap_or_else(|p| p.into_inner()) = failing;
    }

    /// Why writes are failing, or `None` when they work (or none was tried yet). It turns
    /// back to `None` with the first write that succeeds.
    pub fn failing(&self) -> Option<&'static str> {
        *self.failing.lock().unwrap_or_else(|p| p.into_inner())
    }
}
