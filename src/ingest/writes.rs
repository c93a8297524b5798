//! Writers take turns in the process, and the outcome of the last write is what `/health`
//! reports about writes.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::{AppError, AppResult};

pub struct Writes {
    /// One permit: the write holding it is the only one inside SQLite's write lock.
    turn: Semaphore,
    /// How long a write waits for its turn before it is refused with 503 `busy`.
    wait: Duration,
    /// The problem code of the last write, when it failed for a reason that is not the
    /// client's (no room, a database error); `None` once a write succeeds again.
    failing: Mutex<Option<&'static str>>,
}

impl Writes {
    pub fn new(wait: Duration) -> Self {
        Self {
            turn: Semaphore::new(1),
            wait,
            failing: Mutex::new(None),
        }
    }

    /// For a writer alone in its process: there is no one to wait for.
    pub fn alone() -> Self {
        Self::new(Duration::from_secs(3600))
    }

    /// Waits for this process's earlier writes to finish.
    pub async fn turn(&self) -> AppResult<SemaphorePermit<'_>> {
        match tokio::time::timeout(self.wait, self.turn.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(closed)) => Err(AppError::Internal(format!("the write queue: {closed}"))),
            Err(_) => Err(AppError::Busy(format!(
                "waited {:?} for earlier writes to finish",
                self.wait
            ))),
        }
    }

    /// Notes how a write ended. Refusals of the request itself (invalid, conflicting, busy,
    /// timed out) say nothing about whether writes work, so they change nothing.
    pub fn record<T>(&self, result: &AppResult<T>) {
        let failing = match result {
            Ok(_) => None,
            Err(e @ (AppError::StorageFull(_) | AppError::Database(_))) => Some(e.code()),
            Err(_) => return,
        };
        *self.failing.lock().unwrap_or_else(|p| p.into_inner()) = failing;
    }

    /// Why writes are failing, or `None` when they work (or none was tried yet). It turns
    /// back to `None` with the first write that succeeds.
    pub fn failing(&self) -> Option<&'static str> {
        *self.failing.lock().unwrap_or_else(|p| p.into_inner())
    }
}
