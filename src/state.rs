//! What every handler shares.

use std::sync::Arc;

use sqlx::SqlitePool;

/// Request bodies above this are refused with 413 unless configured otherwise.
pub const DEFAULT_MAX_BODY: usize = 4 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub pool: SqlitePool,
    /// The bearer token writes need; `None` turns writes off.
    pub token: Option<Arc<str>>,
    pub max_body: usize,
}

impl AppState {
    pub fn new(pool: SqlitePool) -> Self {
        Self {
            pool,
            token: None,
            max_body: DEFAULT_MAX_BODY,
        }
    }

    pub fn with_token(mut self, token: impl Into<Arc<str>>) -> Self {
        self.token = Some(token.into());
        self
    }

    pub fn with_max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }
}
